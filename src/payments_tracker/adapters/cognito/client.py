"""The Cognito Identity Provider client of a deployed user pool (operator commands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


def make_cognito_client(region: str) -> CognitoIdentityProviderClient:
    """A client for the user pools of `region`, with the caller's AWS credentials."""
    return boto3.client("cognito-idp", region_name=region)
