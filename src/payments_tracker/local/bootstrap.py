"""Idempotent bootstrap of the local stack: the table, the user pool, its clients, config.json.

Running it again finds what exists by name and creates nothing twice.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE, TableDefinition
from payments_tracker.local.config import CognitoConfig, DynamoDBConfig, LocalConfig
from payments_tracker.web_page import WEB_SCOPES

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient

LOCAL_REGION = "us-east-1"
TABLE_NAME = "payments"
USER_POOL_NAME = "payments-tracker"
APP_CLIENT_NAME = "cli"
WEB_CLIENT_NAME = "web"
WEB_URL = "http://127.0.0.1:5173"
"""The local web page (served by the stack); its origin is on the API's CORS allow-list."""
# Local services ignore credentials, but botocore refuses to sign without some.
DUMMY_ACCESS_KEY_ID = "local"
DUMMY_SECRET_ACCESS_KEY = "local"  # noqa: S105 - not a secret: DynamoDB Local ignores it
_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=10, retries={"mode": "standard"})
TABLE_ACTIVE_TIMEOUT_SECONDS = 30.0


def dynamodb_client(endpoint: str, region: str = LOCAL_REGION) -> DynamoDBClient:
    """A DynamoDB client for DynamoDB Local at `endpoint`."""
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=DUMMY_ACCESS_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
        config=_CLIENT_CONFIG,
    )


def cognito_client(endpoint: str, region: str = LOCAL_REGION) -> CognitoIdentityProviderClient:
    """A Cognito Identity Provider client for cognito-local at `endpoint`."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=DUMMY_ACCESS_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
        config=_CLIENT_CONFIG,
    )


def ensure_table(
    client: DynamoDBClient,
    table_name: str = TABLE_NAME,
    definition: TableDefinition = PAYMENTS_TABLE,
) -> bool:
    """Create the table from `definition` unless it exists, wait until ACTIVE; True if created."""
    created = False
    try:
        client.describe_table(TableName=table_name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        request: dict[str, Any] = definition.create_table_request(table_name)
        try:
            client.create_table(**request)
            created = True
        except ClientError as create_error:  # another bootstrap won the race
            if create_error.response["Error"]["Code"] != "ResourceInUseException":
                raise
    _wait_until_active(client, table_name)
    _ensure_ttl(client, table_name, definition.ttl_attribute)
    return created


def _wait_until_active(client: DynamoDBClient, table_name: str) -> None:
    deadline = time.monotonic() + TABLE_ACTIVE_TIMEOUT_SECONDS
    while client.describe_table(TableName=table_name)["Table"].get("TableStatus") != "ACTIVE":
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"table {table_name} not ACTIVE after {TABLE_ACTIVE_TIMEOUT_SECONDS} s"
            )
        time.sleep(0.1)


def _ensure_ttl(client: DynamoDBClient, table_name: str, attribute: str) -> None:
    description = client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if description.get("TimeToLiveStatus") in {"ENABLED", "ENABLING"}:
        return
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
    )


def ensure_user_pool(client: CognitoIdentityProviderClient, name: str = USER_POOL_NAME) -> str:
    """The id of the user pool called `name`, created (email sign-in) if there is none."""
    paginator = client.get_paginator("list_user_pools")
    for page in paginator.paginate(PaginationConfig={"PageSize": 60}):
        for pool in page.get("UserPools", []):
            if pool.get("Name") == name and "Id" in pool:
                return pool["Id"]
    created = client.create_user_pool(
        PoolName=name,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
    )
    return created["UserPool"]["Id"]


def ensure_app_client(
    client: CognitoIdentityProviderClient, user_pool_id: str, name: str = APP_CLIENT_NAME
) -> str:
    """The id of the pool's app client called `name`, created (public, password auth) if none."""
    paginator = client.get_paginator("list_user_pool_clients")
    for page in paginator.paginate(UserPoolId=user_pool_id, PaginationConfig={"PageSize": 60}):
        for app_client in page.get("UserPoolClients", []):
            if app_client.get("ClientName") == name and "ClientId" in app_client:
                return app_client["ClientId"]
    created = client.create_user_pool_client(
        UserPoolId=user_pool_id,
        ClientName=name,
        GenerateSecret=False,
        # USER_PASSWORD_AUTH only on the local pool (DESIGN §2); AWS uses code + PKCE.
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    return created["UserPoolClient"]["ClientId"]


def ensure_web_client(
    client: CognitoIdentityProviderClient,
    user_pool_id: str,
    callback_urls: Sequence[str] = (f"{WEB_URL}/",),
    name: str = WEB_CLIENT_NAME,
) -> str:
    """The id of the pool's public `web` client (code + PKCE), created if none; its callback URLs
    include `callback_urls` (added to an existing client)."""
    wanted = list(callback_urls)
    paginator = client.get_paginator("list_user_pool_clients")
    for page in paginator.paginate(UserPoolId=user_pool_id, PaginationConfig={"PageSize": 60}):
        for app_client in page.get("UserPoolClients", []):
            if app_client.get("ClientName") == name and "ClientId" in app_client:
                client_id = app_client["ClientId"]
                described = client.describe_user_pool_client(
                    UserPoolId=user_pool_id, ClientId=client_id
                )["UserPoolClient"]
                registered = list(described.get("CallbackURLs", []))
                missing = [url for url in wanted if url not in registered]
                if missing:
                    client.update_user_pool_client(
                        UserPoolId=user_pool_id,
                        ClientId=client_id,
                        CallbackURLs=registered + missing,
                    )
                return client_id
    created = client.create_user_pool_client(
        UserPoolId=user_pool_id,
        ClientName=name,
        GenerateSecret=False,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=list(WEB_SCOPES),
        SupportedIdentityProviders=["COGNITO"],
        CallbackURLs=wanted,
        LogoutURLs=wanted,
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"],
    )
    return created["UserPoolClient"]["ClientId"]


def issuer_for(cognito_endpoint: str, user_pool_id: str) -> str:
    """The `iss` cognito-local puts in its tokens: `<endpoint>/<poolId>` (same host string)."""
    return f"{cognito_endpoint.rstrip('/')}/{user_pool_id}"


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
    web_client_id = ensure_web_client(cognito, user_pool_id, [f"{web_url.rstrip('/')}/"])
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
