"""The revocation window, measured with the gateway's and the verifier's clocks (see docs).

A deleted (or signed-out) user's access token is a signed JWT: the authorizer verifies it without
asking Cognito, so it keeps working until `exp` (+ the 30 s leeway), and the gateway's 60 s cache
ignores `exp`. cognito-local's tokens live 24 h, so both clocks are driven here rather than waited
for: the same authorizer handler and the same gateway code, with time under the test's control.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import jwt
import pytest
from starlette.testclient import TestClient

from payments_tracker.adapters.jwt import AccessTokenVerifier, HttpJwksFetcher, JwksKeyCache
from payments_tracker.composition import root
from payments_tracker.composition.settings import Settings
from payments_tracker.handlers import authorizer
from payments_tracker.local.bootstrap import cognito_client
from payments_tracker.local.gateway import AUTHORIZER_CACHE_TTL_SECONDS, create_app
from payments_tracker.local.invokers import InProcessInvoker

if TYPE_CHECKING:
    from conftest import CognitoLocal

pytestmark = pytest.mark.integration

LEEWAY_SECONDS = 30.0


class Clock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Counting:
    """The real authorizer handler, counting its invocations."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.calls += 1
        return authorizer.handler(event, context)


@pytest.fixture
def wall_clock(monkeypatch: pytest.MonkeyPatch, cognito: CognitoLocal) -> Iterator[Clock]:
    """The verifier's clock (seconds since the epoch), starting now; the JWKS is cognito-local's."""
    clock = Clock(time.time())
    verifier = AccessTokenVerifier(
        issuer=cognito.issuer,
        allowed_client_ids=[cognito.client_id],
        keys=JwksKeyCache(HttpJwksFetcher(cognito.jwks_url), clock=clock),
        clock=clock,
    )
    monkeypatch.setattr(root, "token_verifier", lambda: verifier)
    return clock


def test_a_deleted_users_token_works_until_exp_plus_leeway_plus_the_60_s_cache(
    cognito: CognitoLocal, wall_clock: Clock
) -> None:
    gateway_clock = Clock(1000.0)
    counting = Counting()
    api_calls: list[str] = []

    def api(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        api_calls.append(event["requestContext"]["authorizer"]["sub"])
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}

    invoker = InProcessInvoker({"authorizer": counting, "api": api})
    client = TestClient(create_app(Settings(aws_region="us-east-1"), invoker, clock=gateway_clock))
    user = cognito.create_user()
    headers = {"Authorization": f"Bearer {user.access_token}"}
    expires_at = float(jwt.decode(user.access_token, options={"verify_signature": False})["exp"])

    def status() -> int:
        return client.get("/payments?month=2026-11", headers=headers).status_code

    assert status() == 200
    cognito_client(cognito.endpoint).admin_delete_user(
        UserPoolId=cognito.user_pool_id, Username=user.email
    )

    # Deleted, but the token is a valid signature over unexpired claims: cached, then re-verified.
    assert status() == 200
    gateway_clock.now += AUTHORIZER_CACHE_TTL_SECONDS + 1
    assert status() == 200
    assert counting.calls == 2

    # Re-verified at the last moment the leeway allows, the grant is cached for another 60 s ...
    wall_clock.now = expires_at + LEEWAY_SECONDS - 1
    gateway_clock.now += AUTHORIZER_CACHE_TTL_SECONDS + 1
    assert status() == 200
    wall_clock.now = expires_at + LEEWAY_SECONDS + AUTHORIZER_CACHE_TTL_SECONDS - 2
    gateway_clock.now += AUTHORIZER_CACHE_TTL_SECONDS - 1
    assert status() == 200  # the cache ignores `exp`
    # ... and not a second more.
    gateway_clock.now += 1
    assert status() == 401
    assert counting.calls == 4
    last_accepted = expires_at + LEEWAY_SECONDS + AUTHORIZER_CACHE_TTL_SECONDS - 2
    assert last_accepted - expires_at < LEEWAY_SECONDS + AUTHORIZER_CACHE_TTL_SECONDS
    assert api_calls == [user.sub] * 5
    print(
        "\nrevocation window after exp: "
        f"{LEEWAY_SECONDS + AUTHORIZER_CACHE_TTL_SECONDS:.0f} s at most (leeway + cache); "
        f"token life here {expires_at - time.time():.0f} s (cognito-local), 900 s on AWS"
    )


def test_an_expired_token_never_seen_by_the_cache_is_refused_at_once(
    cognito: CognitoLocal, wall_clock: Clock
) -> None:
    counting = Counting()
    invoker = InProcessInvoker({"authorizer": counting, "api": lambda *_: pytest.fail("api ran")})
    client = TestClient(create_app(Settings(aws_region="us-east-1"), invoker))
    user = cognito.create_user()
    expires_at = float(jwt.decode(user.access_token, options={"verify_signature": False})["exp"])
    wall_clock.now = expires_at + LEEWAY_SECONDS + 1

    response = client.get(
        "/payments?month=2026-11", headers={"Authorization": f"Bearer {user.access_token}"}
    )

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert counting.calls == 1
