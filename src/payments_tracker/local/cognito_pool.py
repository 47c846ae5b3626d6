"""The local user pool and its app clients on cognito-local, found by name or created.

USER_PASSWORD_AUTH is enabled only here, on the local pool (docs/design.md §2); on AWS the CDK app
defines the pool and its code + PKCE clients. The local `cli` client also allows code + PKCE to the
same loopback redirect as on AWS, so `payments-tracker login --browser` works against both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict, cast

from payments_tracker.cli.pkce_login import (
    DEFAULT_PORT,
    DEFAULT_SCOPES,
    redirect_uri_for,
)
from payments_tracker.local.endpoints import local_service_client

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.literals import ExplicitAuthFlowsTypeType, OAuthFlowTypeType

USER_POOL_NAME = "payments-tracker"
APP_CLIENT_NAME = "cli"
WEB_CLIENT_NAME = "web"
CLI_CALLBACK_URL = redirect_uri_for(DEFAULT_PORT)
"""The `cli` client's loopback redirect, as on AWS (`cliCallbackUrls` in infra/config.py)."""
CLI_SCOPES = DEFAULT_SCOPES


class _ClientSettings(TypedDict):
    ExplicitAuthFlows: list[ExplicitAuthFlowsTypeType]
    AllowedOAuthFlowsUserPoolClient: bool
    AllowedOAuthFlows: list[OAuthFlowTypeType]
    AllowedOAuthScopes: list[str]
    SupportedIdentityProviders: list[str]
    CallbackURLs: list[str]
    LogoutURLs: list[str]


def local_cognito_client(endpoint: str, region: str) -> CognitoIdentityProviderClient:
    """A Cognito Identity Provider client for cognito-local at `endpoint`."""
    return cast(
        "CognitoIdentityProviderClient", local_service_client("cognito-idp", endpoint, region)
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
    client: CognitoIdentityProviderClient,
    user_pool_id: str,
    name: str = APP_CLIENT_NAME,
    callback_urls: Sequence[str] = (CLI_CALLBACK_URL,),
) -> str:
    """The id of the pool's public `cli` client, created if none: password auth (local pool only)
    and code + PKCE to the loopback `callback_urls` (added to an existing client)."""
    return _ensure_client(
        client,
        user_pool_id,
        name,
        callback_urls,
        # USER_PASSWORD_AUTH only on the local pool (docs/design.md §2); AWS uses code + PKCE only.
        auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        scopes=CLI_SCOPES,
    )


def ensure_web_client(
    client: CognitoIdentityProviderClient,
    user_pool_id: str,
    callback_urls: Sequence[str],
    scopes: Sequence[str],
    name: str = WEB_CLIENT_NAME,
) -> str:
    """The id of the pool's public `web` client (code + PKCE), created if none; its callback URLs
    include `callback_urls` (added to an existing client)."""
    return _ensure_client(
        client,
        user_pool_id,
        name,
        callback_urls,
        auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"],
        scopes=scopes,
    )


def _ensure_client(
    client: CognitoIdentityProviderClient,
    user_pool_id: str,
    name: str,
    callback_urls: Sequence[str],
    *,
    auth_flows: list[ExplicitAuthFlowsTypeType],
    scopes: Sequence[str],
) -> str:
    """Find the public client `name` (or create it) with code + PKCE and these callbacks."""

    def settings(urls: list[str]) -> _ClientSettings:
        return {
            "ExplicitAuthFlows": auth_flows,
            "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": list(scopes),
            "SupportedIdentityProviders": ["COGNITO"],
            "CallbackURLs": urls,
            "LogoutURLs": urls,
        }

    wanted = list(callback_urls)
    client_id = _find_client(client, user_pool_id, name)
    if client_id is None:
        created = client.create_user_pool_client(
            UserPoolId=user_pool_id, ClientName=name, GenerateSecret=False, **settings(wanted)
        )
        return created["UserPoolClient"]["ClientId"]
    described = client.describe_user_pool_client(UserPoolId=user_pool_id, ClientId=client_id)[
        "UserPoolClient"
    ]
    registered = list(described.get("CallbackURLs", []))
    missing = [url for url in wanted if url not in registered]
    oauth_ready = described.get("AllowedOAuthFlowsUserPoolClient") and "code" in (
        described.get("AllowedOAuthFlows", [])
    )
    if missing or not oauth_ready:
        # Every setting again: UpdateUserPoolClient resets what it is not given.
        client.update_user_pool_client(
            UserPoolId=user_pool_id, ClientId=client_id, **settings(registered + missing)
        )
    return client_id


def _find_client(client: CognitoIdentityProviderClient, user_pool_id: str, name: str) -> str | None:
    paginator = client.get_paginator("list_user_pool_clients")
    for page in paginator.paginate(UserPoolId=user_pool_id, PaginationConfig={"PageSize": 60}):
        for app_client in page.get("UserPoolClients", []):
            if app_client.get("ClientName") == name and "ClientId" in app_client:
                return app_client["ClientId"]
    return None


def issuer_for(cognito_endpoint: str, user_pool_id: str) -> str:
    """The `iss` cognito-local puts in its tokens: `<endpoint>/<poolId>` (same host string)."""
    return f"{cognito_endpoint.rstrip('/')}/{user_pool_id}"
