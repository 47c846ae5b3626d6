"""Session fixtures: real DynamoDB Local, real cognito-local and the local gateway, on free ports.

Each service starts at most once per test session, only when a test asks for it, on 127.0.0.1 with a
port the kernel picked, with its state in a temporary directory; it is always stopped at the end of
the session, whatever happened. `make test` therefore also runs while `make run` is up.

    dynamodb_endpoint  URL of an in-memory DynamoDB Local with the `payments` table (bootstrap code)
    cognito            CognitoLocal: endpoint, region, user_pool_id, client_id, issuer, jwks_url,
                       create_user(email=None, password=None) -> CognitoUser with tokens
    local_config       the LocalConfig of those two services (what `.local/config.json` would hold)
    gateway_url        base URL of `python -m payments_tracker.local.gateway` wired to both
    api_url, api_user  the API under test and a factory of its users: the local gateway and fresh
                       cognito-local users, or — with PAYMENTS_API_URL set — a deployed stage and
                       the users of PAYMENTS_TOKEN / PAYMENTS_TOKEN_B (the acceptance mode)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest

from payments_tracker.local.config import LocalConfig
from payments_tracker.local.services import free_port
from support.local_stack import (
    CognitoLocal,
    CognitoUser,
    config_of,
    throwaway_cognito,
    throwaway_dynamodb,
    throwaway_gateway,
)

__all__ = ["CognitoLocal", "CognitoUser"]  # the fixtures' types, for the tests' annotations

TEST_CURSOR_KEY = "test-cursor-key-" + "0" * 32
GATEWAY_TEST_WORKERS = 2


@pytest.fixture(scope="session")
def services_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary directory for the state and logs of this session's services."""
    return tmp_path_factory.mktemp("services")


@pytest.fixture(scope="session")
def dynamodb_endpoint(services_dir: Path) -> Iterator[str]:
    """An in-memory DynamoDB Local on a free loopback port, with the `payments` table."""
    with throwaway_dynamodb(services_dir) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def cognito(services_dir: Path) -> Iterator[CognitoLocal]:
    """cognito-local on a free loopback port with the `payments-tracker` pool and `cli` client."""
    with throwaway_cognito(services_dir / "cognito", services_dir) as pool:
        yield pool


@pytest.fixture(scope="session")
def gateway_port() -> int:
    """The loopback port the session's local gateway listens on."""
    return free_port()


@pytest.fixture(scope="session")
def local_config(dynamodb_endpoint: str, cognito: CognitoLocal, gateway_port: int) -> LocalConfig:
    """The LocalConfig of this session's services (what the bootstrap writes to config.json)."""
    return config_of(dynamodb_endpoint, cognito, gateway_port)


@pytest.fixture(scope="session")
def gateway_url(local_config: LocalConfig, services_dir: Path) -> Iterator[str]:
    """The base URL of the local gateway (a subprocess) wired to this session's services."""
    workers = int(os.environ.get("PAYMENTS_TEST_GATEWAY_WORKERS", GATEWAY_TEST_WORKERS))
    with throwaway_gateway(
        local_config, TEST_CURSOR_KEY, workers, services_dir / "gateway.log"
    ) as url:
        yield url


DEPLOYED_API_URL = os.environ.get("PAYMENTS_API_URL", "").rstrip("/")
"""Set to run the acceptance tests against a deployed stage (docs/deploy.md) instead of locally."""


@dataclass(frozen=True)
class ApiUser:
    """A caller of the API: its user id (`sub`) and a valid access token."""

    sub: str
    access_token: str


def _user_of_token(variable: str) -> ApiUser:
    token = os.environ.get(variable, "")
    if not token:
        pytest.fail(f"the acceptance mode needs {variable}: see docs/deploy.md")
    claims = jwt.decode(token, options={"verify_signature": False})
    return ApiUser(sub=claims["sub"], access_token=token)


@pytest.fixture(scope="session")
def api_url(request: pytest.FixtureRequest) -> str:
    """The API under test: a deployed stage (PAYMENTS_API_URL) or this session's local gateway."""
    if DEPLOYED_API_URL:
        return DEPLOYED_API_URL
    url: str = request.getfixturevalue("gateway_url")
    return url


@pytest.fixture(scope="session")
def api_user(request: pytest.FixtureRequest) -> Callable[[], ApiUser]:
    """Users to call the API as: fresh cognito-local users, or the two given deployed users.

    Deployed, calls alternate between the users of PAYMENTS_TOKEN and PAYMENTS_TOKEN_B, so two
    calls in a row give two different users, as the cross-user tests need.
    """
    if DEPLOYED_API_URL:
        users = [_user_of_token("PAYMENTS_TOKEN"), _user_of_token("PAYMENTS_TOKEN_B")]
        calls = iter(range(1_000_000))
        return lambda: users[next(calls) % 2]
    cognito: CognitoLocal = request.getfixturevalue("cognito")

    def fresh_user() -> ApiUser:
        user = cognito.create_user()
        return ApiUser(sub=user.sub, access_token=user.access_token)

    return fresh_user
