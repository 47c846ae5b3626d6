"""Idempotent bootstrap of the local stack: the table, the user pool, its clients, config.json.

Running it again finds what exists by name and creates nothing twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from payments_tracker.edge.web_config import WEB_SCOPES
from payments_tracker.local.cognito_pool import (
    APP_CLIENT_NAME,
    USER_POOL_NAME,
    WEB_CLIENT_NAME,
    ensure_app_client,
    ensure_user_pool,
    ensure_web_client,
    issuer_for,
    local_cognito_client,
)
from payments_tracker.local.config import CognitoConfig, DynamoDBConfig, LocalConfig
from payments_tracker.local.dynamodb_table import ensure_table, local_dynamodb_client

__all__ = [
    "APP_CLIENT_NAME",
    "LOCAL_REGION",
    "TABLE_NAME",
    "USER_POOL_NAME",
    "WEB_CLIENT_NAME",
    "WEB_URL",
    "bootstrap",
    "cognito_client",
    "dynamodb_client",
    "ensure_app_client",
    "ensure_table",
    "ensure_user_pool",
    "ensure_web_client",
    "issuer_for",
]

LOCAL_REGION = "us-east-1"
TABLE_NAME = "payments"
WEB_URL = "http://127.0.0.1:5173"
"""The local web page (served by the stack); its origin is on the API's CORS allow-list."""

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient


def dynamodb_client(endpoint: str, region: str = LOCAL_REGION) -> DynamoDBClient:
    """A DynamoDB client for DynamoDB Local at `endpoint`."""
    return local_dynamodb_client(endpoint, region)


def cognito_client(endpoint: str, region: str = LOCAL_REGION) -> CognitoIdentityProviderClient:
    """A Cognito Identity Provider client for cognito-local at `endpoint`."""
    return local_cognito_client(endpoint, region)


def bootstrap(
    *,
    dynamodb_endpoint: str,
    cognito_endpoint: str,
    api_url: str,
    web_url: str = WEB_URL,
    region: str = LOCAL_REGION,
    table_name: str = TABLE_NAME,
    config_path: Path | None = None,
) -> LocalConfig:
    """Create what is missing (table, pool, client); write `config_path` if given; return it."""
    ensure_table(dynamodb_client(dynamodb_endpoint, region), table_name)
    cognito = cognito_client(cognito_endpoint, region)
    user_pool_id = ensure_user_pool(cognito)
    client_id = ensure_app_client(cognito, user_pool_id)
    web_client_id = ensure_web_client(
        cognito, user_pool_id, [f"{web_url.rstrip('/')}/"], WEB_SCOPES
    )
    issuer = issuer_for(cognito_endpoint, user_pool_id)
    config = LocalConfig(
        api_url=api_url,
        web_url=web_url,
        region=region,
        dynamodb=DynamoDBConfig(endpoint=dynamodb_endpoint, table_name=table_name),
        cognito=CognitoConfig(
            endpoint=cognito_endpoint,
            user_pool_id=user_pool_id,
            client_id=client_id,
            issuer=issuer,
            jwks_url=f"{issuer}/.well-known/jwks.json",
            web_client_id=web_client_id,
        ),
    )
    if config_path is not None:
        config.write(config_path)
    return config
