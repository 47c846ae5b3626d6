"""What a built deployment is: the app, its settings, its stacks and the nag acknowledgements.

Its own module so that infra/app.py (which builds a `Deployment`) and infra/nag.py (which reads
one and returns `NagAcknowledgement`s) both import it and neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App

from infra.config import InfraConfig
from infra.stacks.api import ApiStack
from infra.stacks.auth import AuthStack
from infra.stacks.data import DataStack
from infra.stacks.observability import ObservabilityStack
from infra.stacks.reports import ReportsStack
from infra.stacks.web import WebContentStack, WebHostingStack


@dataclass(frozen=True)
class NagAcknowledgement:
    """One acknowledged finding: where, which rule, and why it is acceptable."""

    path: str
    rule: str
    reason: str


@dataclass(frozen=True)
class Deployment:
    """The app and its stacks, as the tests and the acknowledgements need them."""

    app: App
    config: InfraConfig
    auth: AuthStack
    data: DataStack
    api: ApiStack
    reports: ReportsStack
    observability: ObservabilityStack
    web_hosting: WebHostingStack
    web_content: WebContentStack
    acknowledgements: tuple[NagAcknowledgement, ...] = ()
