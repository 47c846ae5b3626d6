"""The identity provider's JWKS unreachable: cached keys keep working; a token whose key cannot be
had is a 503 problem+json with `Retry-After` (AUTHORIZER_FAILURE), never a 401 and never a hang; a
bad token is still a 401; once the JWKS is back, the keys are found within `Retry-After` seconds.
Unit tests of the key cache (tests/unit/adapters/test_token_verification.py) check the rules and the
back-off; here the real authorizer and gateway run against a JWKS endpoint that answers, then hangs
(accepts connections, never replies), then is gone (connection refused), then comes back.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from starlette.testclient import TestClient

from payments_tracker.adapters.jwt import AccessTokenVerifier, HttpJwksFetcher, JwksKeyCache
from payments_tracker.composition import root
from payments_tracker.composition.settings import Settings
from payments_tracker.edge.gateway_responses import AUTHORIZER_RETRY_AFTER_SECONDS
from payments_tracker.handlers import authorizer
from payments_tracker.local.gateway import create_app
from payments_tracker.local.invokers import InProcessInvoker
from payments_tracker.local.services import LOOPBACK, PROJECT_ROOT
from support.http_api import assert_problem

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
    """A loopback JWKS endpoint: `up` serves cognito-local's public key, `hang` never replies,
    `vanish` refuses connections, `come_back` serves again on the same port (a restarted IdP)."""

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

        self._handler = Handler
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._hanging: socket.socket | None = None
        self.come_back()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/.well-known/jwks.json"

    def come_back(self) -> None:
        """Serve the JWKS (again) on the same port; HTTPServer binds with SO_REUSEADDR."""
        self._server = ThreadingHTTPServer((LOOPBACK, self.port), self._handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _stop_serving(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def hang(self) -> None:
        """Stop serving; listen on the same port without ever accepting (a hung IdP)."""
        self._stop_serving()
        self._hanging = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._hanging.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._hanging.bind((LOOPBACK, self.port))
        self._hanging.listen(16)

    def vanish(self) -> None:
        """Nothing listens any more: connections are refused."""
        if self._hanging is not None:
            self._hanging.close()
            self._hanging = None
        self._stop_serving()


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


class Gateway:
    """The local gateway in front of the real authorizer (its own verifier, clock and JWKS)."""

    def __init__(self, jwks: JwksEndpoint, monkeypatch: pytest.MonkeyPatch) -> None:
        self.clock = Clock()
        self.fetched_at: list[float] = []
        http = HttpJwksFetcher(jwks.url, timeout_seconds=FETCH_TIMEOUT_SECONDS)

        def fetch() -> Mapping[str, Any]:
            self.fetched_at.append(self.clock.now)
            return http()

        verifier = AccessTokenVerifier(
            issuer=ISSUER,
            allowed_client_ids=[CLIENT_ID],
            keys=JwksKeyCache(fetch, clock=self.clock),
            clock=self.clock,
        )
        monkeypatch.setattr(root, "token_verifier", lambda: verifier)
        ok = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}
        invoker = InProcessInvoker({"authorizer": authorizer.handler, "api": lambda *_: ok})
        self.client = TestClient(create_app(Settings(aws_region="us-east-1"), invoker))

    def call(self, bearer: str) -> tuple[int, float]:
        """The status of a GET with this token and how long it took; every refusal is checked."""
        started = time.monotonic()
        response = self.client.get(
            "/payments?month=2026-11", headers={"Authorization": f"Bearer {bearer}"}
        )
        seconds = time.monotonic() - started
        if response.status_code == 401:
            assert_problem(response, 401)
        if response.status_code == 503:
            problem = assert_problem(response, 503)
            assert problem["type"] == "/problems/authorizer-unavailable"
            assert response.headers["retry-after"] == str(AUTHORIZER_RETRY_AFTER_SECONDS)
        return response.status_code, seconds


def test_cached_keys_keep_working_and_unknown_kids_are_503_while_the_jwks_is_down(
    jwks: JwksEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = Gateway(jwks, monkeypatch)
    clock = gateway.clock
    assert gateway.call(token())[0] == 200  # the JWKS is fetched once and cached

    jwks.hang()
    assert gateway.call(token())[0] == 200  # a new token, the cached key: no fetch needed
    clock.now += 61  # an unknown kid may now trigger one refetch, which hangs until the timeout
    status, seconds = gateway.call(token(kid="rotated-key"))
    # Perhaps a rotated key: not knowable while the IdP hangs, so 503 + Retry-After, never 401.
    assert status == 503
    assert FETCH_TIMEOUT_SECONDS - 0.5 <= seconds < FETCH_TIMEOUT_SECONDS + 2
    status, seconds = gateway.call(token(kid="another-unknown-key"))
    assert (status, seconds < 1.0) == (503, True)  # inside the back-off: no second fetch
    assert gateway.call(token())[0] == 200
    assert gateway.call("not-a-jwt")[0] == 401  # a bad token is refused as ever
    assert len(gateway.fetched_at) == 2

    jwks.vanish()
    clock.now += AUTHORIZER_RETRY_AFTER_SECONDS  # the back-off is over: one more fetch
    status, seconds = gateway.call(token(kid="rotated-key"))
    assert (status, seconds < 1.0) == (503, True)  # connection refused: fails at once
    assert gateway.call(token())[0] == 200
    assert len(gateway.fetched_at) == 3


def test_no_keys_at_all_is_503_with_retry_after_and_recovers_within_seconds(
    jwks: JwksEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 11, point 3: a cold authorizer whose first fetch failed used to answer 401 to every
    # valid token for 60 s, telling clients to throw away good sessions.
    jwks.vanish()
    gateway = Gateway(jwks, monkeypatch)
    clock = gateway.clock
    started = clock.now
    valid = token()

    status, seconds = gateway.call(valid)
    assert (status, seconds < 1.0) == (503, True)
    assert gateway.call(token())[0] == 503  # within the back-off: answered without a fetch
    assert gateway.call("not-a-jwt")[0] == 401  # a bad token stays 401 while keys are missing
    assert len(gateway.fetched_at) == 1

    jwks.come_back()
    clock.now += AUTHORIZER_RETRY_AFTER_SECONDS  # the client retries after `Retry-After`
    assert gateway.call(valid)[0] == 200
    assert gateway.call(token())[0] == 200
    assert gateway.fetched_at == [started, started + AUTHORIZER_RETRY_AFTER_SECONDS]
