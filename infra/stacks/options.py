"""The keyword arguments every stack here passes on to `aws_cdk.Stack`, typed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from aws_cdk import Environment, IPropertyInjector, IStackSynthesizer, PermissionsBoundary


class StackOptions(TypedDict, total=False):
    """`aws_cdk.StackProps` as keyword arguments: `**kwargs: Unpack[StackOptions]` in a stack's
    `__init__` takes exactly what `Stack.__init__` takes, so mypy checks both ends."""

    analytics_reporting: bool
    cross_region_references: bool
    description: str
    env: Environment | dict[str, Any]
    notification_arns: Sequence[str]
    permissions_boundary: PermissionsBoundary
    property_injectors: Sequence[IPropertyInjector]
    stack_name: str
    suppress_template_indentation: bool
    synthesizer: IStackSynthesizer
    tags: Mapping[str, str]
    termination_protection: bool
