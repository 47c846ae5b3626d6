"""Authorization code + PKCE login with a loopback redirect (RFC 8252), like `aws sso login`.

The `cli` app client is public (no secret). This module makes the S256 verifier and the `state`,
listens on 127.0.0.1 only for the one redirect to `http://localhost:<port>/callback`, checks the
`state` and exchanges the code at `<base>/oauth2/token`. `<base>` is the Cognito managed login
domain (`https://<prefix>.auth.<region>.amazoncognito.com`) or cognito-local's endpoint, which
serves the same two paths at its root (no pool id in the path). Nothing here prints: the code and
the tokens never reach a log.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

DEFAULT_PORT: Final = 8976
"""The port of the `cli` client's registered callback URL (`cliCallbackUrls` in infra)."""
CALLBACK_PATH: Final = "/callback"
DEFAULT_SCOPES: Final = ("openid", "email")
"""What the `cli` client allows on AWS (infra/stacks/auth.py)."""
DEFAULT_TIMEOUT_SECONDS: Final = 120.0
"""How long to wait for the browser to come back with a code."""
TOKEN_TIMEOUT_SECONDS: Final = 10.0
LOOPBACK_HOST: Final = "127.0.0.1"
_REQUEST_TIMEOUT_SECONDS: Final = 10.0
"""A connection that sends no request (a browser's preconnect) is dropped after this."""

_SAFE_ERROR: Final = re.compile(r"[^A-Za-z0-9_.-]")
"""An OAuth error code is `[\x20-\x7e]` but shown in a terminal: keep the plain characters."""
_PAGE: Final = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>payments-tracker</title></head>"
    "<body><p>{message}</p></body></html>"
)


class PkceLoginError(Exception):
    """The login did not complete; `reason` is a short code, `detail` safe to show (no secret)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Pkce:
    """A PKCE code verifier and its S256 challenge (RFC 7636)."""

    verifier: str
    challenge: str


def new_pkce() -> Pkce:
    """A fresh verifier (86 URL-safe characters) and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)
    return Pkce(verifier=verifier, challenge=s256_challenge(verifier))


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def redirect_uri_for(port: int) -> str:
    """The loopback callback URL to register on the client: `http://localhost:<port>/callback`."""
    return f"http://localhost:{port}{CALLBACK_PATH}"


@dataclass(frozen=True)
class OAuthEndpoints:
    """Where the browser signs in and where the code is exchanged."""

    authorize_url: str
    token_url: str

    @classmethod
    def at(cls, base_url: str) -> OAuthEndpoints:
        """`<base>/oauth2/authorize` and `<base>/oauth2/token` (managed login or cognito-local)."""
        base = base_url.rstrip("/")
        return cls(authorize_url=f"{base}/oauth2/authorize", token_url=f"{base}/oauth2/token")


def authorize_url(
    endpoints: OAuthEndpoints,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: Sequence[str],
    state: str,
    challenge: str,
) -> str:
    """The authorization request (response_type=code, S256) the browser opens."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "code_challenge_method": "S256",
            "code_challenge": challenge,
        }
    )
    return f"{endpoints.authorize_url}?{query}"


@dataclass
class _Outcome:
    """What the one meaningful redirect brought: a code, or the reason it was refused."""

    code: str | None = None
    error: PkceLoginError | None = None


class _CallbackServer(ThreadingHTTPServer):
    """A loopback HTTP server that takes one redirect to the callback path."""

    daemon_threads = True

    def __init__(self, port: int, state: str) -> None:
        super().__init__((LOOPBACK_HOST, port), _CallbackHandler)
        self.expected_state = state
        self.outcome = _Outcome()
        self.done = threading.Event()
        self._lock = threading.Lock()

    def settle(self, outcome: _Outcome) -> bool:
        """Record the first outcome only; True if this one was recorded."""
        with self._lock:
            if self.done.is_set():
                return False
            self.outcome = outcome
            self.done.set()
            return True


class _CallbackHandler(BaseHTTPRequestHandler):
    """Answers the redirect to `/callback`; anything else is a 404 and the wait goes on."""

    server: _CallbackServer
    timeout = _REQUEST_TIMEOUT_SECONDS

    def do_GET(self) -> None:
        """Check `state`, then keep the code (or the provider's error)."""
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self._answer(HTTPStatus.NOT_FOUND, "Not found.")
            return
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        state = query.get("state", "")
        if not secrets.compare_digest(state.encode(), self.server.expected_state.encode()):
            self.server.settle(
                _Outcome(error=PkceLoginError("state-mismatch", "the redirect's state is wrong"))
            )
            self._answer(HTTPStatus.BAD_REQUEST, "Sign-in refused: unexpected state.")
            return
        if "error" in query:
            detail = _SAFE_ERROR.sub("?", query["error"][:64])
            self.server.settle(_Outcome(error=PkceLoginError("denied", detail)))
            self._answer(HTTPStatus.BAD_REQUEST, "Sign-in failed; see the terminal.")
            return
        code = query.get("code")
        if not code:
            missing = PkceLoginError("no-code", "the redirect has no code")
            self.server.settle(_Outcome(error=missing))
            self._answer(HTTPStatus.BAD_REQUEST, "Sign-in failed: no code.")
            return
        if self.server.settle(_Outcome(code=code)):
            self._answer(HTTPStatus.OK, "Signed in. You can close this tab.")
        else:
            self._answer(HTTPStatus.CONFLICT, "This sign-in is already finished.")

    def _answer(self, status: HTTPStatus, message: str) -> None:
        body = _PAGE.format(message=message).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: the request line carries the authorization code."""


def exchange_code(
    endpoints: OAuthEndpoints,
    *,
    client_id: str,
    code: str,
    redirect_uri: str,
    verifier: str,
    timeout: float = TOKEN_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """The token endpoint's JSON answer for an authorization code (public client, no secret)."""
    try:
        response = httpx.post(
            endpoints.token_url,
            data={
                "grant_type": "authorization_code",
                "client_id": client_id,
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            headers={"Accept": "application/json"},
            timeout=timeout,
        )
    except httpx.HTTPError as error:
        raise PkceLoginError("unreachable", type(error).__name__) from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise PkceLoginError("refused", f"HTTP {response.status_code} from the token endpoint")
    if not response.is_success:
        raise PkceLoginError("refused", str(answer.get("error", f"HTTP {response.status_code}")))
    if not isinstance(answer.get("access_token"), str):
        raise PkceLoginError("refused", "the token endpoint sent no access_token")
    return answer


def browser_login(
    base_url: str,
    client_id: str,
    *,
    open_browser: Callable[[str], object],
    port: int = DEFAULT_PORT,
    scopes: Sequence[str] = DEFAULT_SCOPES,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> str:
    """Run the whole flow and return the access token.

    `open_browser(url)` is called once the loopback listener is up; it may block (a browser run as a
    command) since the redirect is served on another thread.
    """
    endpoints = OAuthEndpoints.at(base_url)
    pkce = new_pkce()
    state = secrets.token_urlsafe(32)
    redirect_uri = redirect_uri_for(port)
    try:
        server = _CallbackServer(port, state)
    except OSError as error:
        raise PkceLoginError("port-busy", f"{LOOPBACK_HOST}:{port}: {error.strerror}") from None
    thread = threading.Thread(target=server.serve_forever, name="pkce-callback", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    try:
        open_browser(
            authorize_url(
                endpoints,
                client_id=client_id,
                redirect_uri=redirect_uri,
                scopes=scopes,
                state=state,
                challenge=pkce.challenge,
            )
        )
        if not server.done.wait(max(0.0, deadline - time.monotonic())):
            raise PkceLoginError("timeout", f"no sign-in came back within {timeout:g} s")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    outcome = server.outcome
    if outcome.error is not None:
        raise outcome.error
    if outcome.code is None:  # pragma: no cover - settle() always sets one of the two
        raise PkceLoginError("no-code")
    tokens = exchange_code(
        endpoints,
        client_id=client_id,
        code=outcome.code,
        redirect_uri=redirect_uri,
        verifier=pkce.verifier,
    )
    return str(tokens["access_token"])
