"""The one way to start a throwaway local stack: DynamoDB Local in memory, cognito-local with
the `payments-tracker` pool, the local gateway — each on a free 127.0.0.1 port, each stopped when
its block ends, whatever happened. The session fixtures (tests/conftest.py), the browser test
(tests/e2e/test_web_page.py) and the end-to-end benchmark (bench/end_to_end.py) all start their
services here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import jwt

from payments_tracker.local.bootstrap import (
    LOCAL_REGION,
    TABLE_NAME,
    cognito_client,
    dynamodb_client,
    ensure_app_client,
    ensure_table,
    ensure_user_pool,
    issuer_for,
)
from payments_tracker.local.config import CognitoConfig, DynamoDBConfig, LocalConfig
from payments_tracker.local.services import (
    LOOPBACK,
    free_port,
    start_cognito_local,
    start_dynamodb_local,
)
from payments_tracker.local.stack import start_gateway


@dataclass(frozen=True)
class CognitoUser:
    """A confirmed user of the test pool and the tokens of one USER_PASSWORD_AUTH login."""

    email: str
    password: str
    sub: str
    access_token: str
    id_token: str
    refresh_token: str


@dataclass(frozen=True)
class CognitoLocal:
    """The session's cognito-local: its pool and `cli` client, and a way to make users."""

    endpoint: str
    region: str
    user_pool_id: str
    client_id: str
    issuer: str
    jwks_url: str

    def create_user(self, email: str | None = None, password: str | None = None) -> CognitoUser:
        """Sign up, confirm and log in a user (a fresh random e-mail and password by default)."""
        email = email or f"user-{uuid.uuid4().hex[:12]}@example.com"
        password = password or f"Pw-{uuid.uuid4().hex}"
        client = cognito_client(self.endpoint, self.region)
        signed_up = client.sign_up(
            ClientId=self.client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
        client.admin_confirm_sign_up(UserPoolId=self.user_pool_id, Username=email)
        tokens = client.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )["AuthenticationResult"]
        access_token = tokens["AccessToken"]
        sub = (
            signed_up.get("UserSub")
            or jwt.decode(access_token, options={"verify_signature": False})["sub"]
        )
        return CognitoUser(
            email=email,
            password=password,
            sub=sub,
            access_token=access_token,
            id_token=tokens["IdToken"],
            refresh_token=tokens["RefreshToken"],
        )


@contextmanager
def throwaway_dynamodb(log_dir: Path) -> Iterator[str]:
    """An in-memory DynamoDB Local with the `payments` table; its endpoint URL."""
    service = start_dynamodb_local(free_port(), None, log_path=log_dir / "dynamodb.log")
    try:
        ensure_table(dynamodb_client(service.endpoint), TABLE_NAME)
        yield service.endpoint
    finally:
        service.stop()


@contextmanager
def throwaway_cognito(state_dir: Path, log_dir: Path) -> Iterator[CognitoLocal]:
    """cognito-local with the `payments-tracker` pool and its `cli` client."""
    service = start_cognito_local(free_port(), state_dir, log_path=log_dir / "cognito.log")
    try:
        client = cognito_client(service.endpoint)
        user_pool_id = ensure_user_pool(client)
        client_id = ensure_app_client(client, user_pool_id)
        issuer = issuer_for(service.endpoint, user_pool_id)
        yield CognitoLocal(
            endpoint=service.endpoint,
            region=LOCAL_REGION,
            user_pool_id=user_pool_id,
            client_id=client_id,
            issuer=issuer,
            jwks_url=f"{issuer}/.well-known/jwks.json",
        )
    finally:
        service.stop()


def config_of(
    dynamodb_endpoint: str,
    cognito: CognitoLocal,
    gateway_port: int,
    *,
    web_url: str | None = None,
    web_client_id: str | None = None,
) -> LocalConfig:
    """The LocalConfig of these services (what `.local/config.json` would hold)."""
    return LocalConfig(
        api_url=f"http://{LOOPBACK}:{gateway_port}",
        web_url=web_url,
        region=cognito.region,
        dynamodb=DynamoDBConfig(endpoint=dynamodb_endpoint, table_name=TABLE_NAME),
        cognito=CognitoConfig(
            endpoint=cognito.endpoint,
            user_pool_id=cognito.user_pool_id,
            client_id=cognito.client_id,
            issuer=cognito.issuer,
            jwks_url=cognito.jwks_url,
            web_client_id=web_client_id,
        ),
    )


@contextmanager
def throwaway_gateway(
    config: LocalConfig, cursor_key: str, workers: int, log_path: Path
) -> Iterator[str]:
    """The local gateway (a subprocess) on `config.api_url`'s port; its base URL."""
    port = int(config.api_url.rsplit(":", 1)[1])
    service = start_gateway(config, cursor_key, port, workers, log_path=log_path)
    try:
        yield config.api_url
    finally:
        service.stop()
