"""The identity provider's JWKS unreachable: cached keys keep working, an unknown kid is a 401 in
bounded time, never a hang. Unit tests of the key cache (tests/unit/test_token_verification.py)
check the rules; here the real authorizer and gateway run against a JWKS endpoint that answers,
then hangs (accepts connections, never replies), then is gone (connection refused).
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from starlette.testclient import TestClient

from payments_tracker.adapters.jwt import AccessTokenVerifier, HttpJwksFetcher, JwksKeyCache
from payments_tracker.handlers import authorizer
from payments_tracker.local.gateway import create_app
from payments_tracker.local.invokers import InProcessInvoker
from payments_tracker.local.services import LOOPBACK, PROJECT_ROOT
from payments_tracker.settings import Settings

KEYS = PROJECT_ROOT / "node_modules" / "cognito-local" / "lib" / "keys"
ISSUER = "http://127.0.0.1:1/jwks-outage-pool"
CLIENT_ID = "jwks-outage-client"
FETCH_TIMEOUT_SECONDS = 2.0


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class JwksEndpoint:
    """A loopback JWKS endpoint: `up` serves cognito-local's public key, `hang` never replies."""

    def __init__(self) -> None:
        public = json.loads((KEYS / "cognitoLocal.public.json").read_text())["jwk"]
        document = json.dumps({"keys": [public]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self._hanging: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/.well-known/jwks.json"

    def hang(self) -> None:
        """Stop serving; listen on the same port without ever accepting (a hung IdP)."""
        self._server.shutdown()
        self._server.server_close()
        self._hanging = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._hanging.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._hanging.bind((LOOPBACK, self.port))
        self._hanging.listen(16)

    def vanish(self) -> None:
        """Nothing listens any more: connections are refused."""
        if self._hanging is not None:
            self._hanging.close()
            self._hanging = None
        else:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def jwks() -> Iterator[JwksEndpoint]:
    endpoint = JwksEndpoint()
    yield endpoint
    endpoint.vanish()


def token(kid: str = "CognitoLocal") -> str:
    """A never-seen access token signed with cognito-local's shipped key."""
    now = int(time.time())
    claims = {
        "sub": str(uuid.uuid4()),
        "username": "u",
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "token_use": "access",
        "scope": "s",
        "iat": now,
        "exp": now + 900,
        "jti": str(uuid.uuid4()),
    }
    pem = json.loads((KEYS / "cognitoLocal.private.json").read_text())["pem"]
    return jwt.encode(claims, pem, "RS256", {"kid": kid})


def test_cached_keys_keep_working_and_unknown_kids_fail_fast_while_the_jwks_is_down(
    jwks: JwksEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    verifier = AccessTokenVerifier(
        issuer=ISSUER,
        allowed_client_ids=[CLIENT_ID],
        keys=JwksKeyCache(
            HttpJwksFetcher(jwks.url, timeout_seconds=FETCH_TIMEOUT_SECONDS), clock=clock
        ),
        clock=clock,
    )
    monkeypatch.setattr(authorizer, "get_verifier", lambda: verifier)
    ok = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}
    invoker = InProcessInvoker({"authorizer": authorizer.handler, "api": lambda *_: ok})
    client = TestClient(create_app(Settings(aws_region="us-east-1"), invoker))

    def timed(bearer: str) -> tuple[int, float]:
        started = time.monotonic()
        response = client.get(
            "/payments?month=2026-11", headers={"Authorization": f"Bearer {bearer}"}
        )
        if response.status_code == 401:
            assert response.headers["content-type"].startswith("application/problem+json")
        return response.status_code, time.monotonic() - started

    assert timed(token())[0] == 200  # the JWKS is fetched once and cached

    jwks.hang()
    assert timed(token())[0] == 200  # a new token, the cached key: no fetch needed
    clock.now += 61  # an unknown kid may now trigger one refetch, which hangs until the timeout
    status, seconds = timed(token(kid="rotated-key"))
    assert status == 401
    assert FETCH_TIMEOUT_SECONDS - 0.5 <= seconds < FETCH_TIMEOUT_SECONDS + 2
    status, seconds = timed(token(kid="another-unknown-key"))
    assert (status, seconds < 0.5) == (401, True)  # no second fetch within the minute
    assert timed(token())[0] == 200

    jwks.vanish()
    clock.now += 61
    status, seconds = timed(token(kid="rotated-key"))
    assert (status, seconds < 1.0) == (401, True)  # connection refused: fails at once
    assert timed(token())[0] == 200
