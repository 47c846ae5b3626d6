"""`login --browser` (authorization code + PKCE, loopback redirect) against the real cognito-local.

No browser: a small function plays it — it opens the authorize URL, fills in cognito-local's login
form with the user's e-mail and password and follows the redirect to the loopback callback.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import jwt
import pytest

from payments_tracker.cli.pkce_login import (
    PkceLoginError,
    browser_login,
    redirect_uri_for,
    s256_challenge,
)
from payments_tracker.local.bootstrap import cognito_client, ensure_app_client, ensure_user_pool
from payments_tracker.local.cognito_pool import CLI_CALLBACK_URL
from payments_tracker.local.config import CognitoConfig, DynamoDBConfig, LocalConfig
from payments_tracker.local.services import free_port

if TYPE_CHECKING:
    from tests.conftest import CognitoLocal, CognitoUser

pytestmark = pytest.mark.integration

CLI = Path(sys.executable).parent / "payments-tracker"
WAIT_SECONDS = 30.0


class _FormParser(HTMLParser):
    """The first form's action and its named inputs (hidden ones keep their values)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = named.get("action") or ""
        if tag == "input" and named.get("name"):
            self.fields[str(named["name"])] = named.get("value") or ""


def sign_in_on_the_form(
    url: str, email: str, password: str, tamper: Callable[[str], str] = lambda url: url
) -> httpx.Response:
    """What a person does in the browser; returns the loopback callback's answer."""
    with httpx.Client(timeout=10) as http:
        page = http.get(url)
        assert page.status_code == 200, page.text
        form = _FormParser()
        form.feed(page.text)
        assert form.action is not None, page.text
        assert {"username", "password", "state", "code_challenge"} <= form.fields.keys()
        fields = {**form.fields, "username": email, "password": password}
        posted = http.post(urljoin(url, form.action), data=fields)
        assert posted.status_code in {302, 303}, posted.text
        return http.get(tamper(posted.headers["location"]))


def with_state(value: str) -> Callable[[str], str]:
    """A redirect URL with its `state` replaced (a forged or crossed callback)."""

    def tamper(url: str) -> str:
        parts = urlsplit(url)
        query = [(k, value if k == "state" else v) for k, v in parse_qsl(parts.query)]
        return urlunsplit(parts._replace(query=urlencode(query)))

    return tamper


@pytest.fixture
def callback_port(cognito: CognitoLocal) -> int:
    """A free loopback port whose callback URL is registered on the `cli` client."""
    port = free_port()
    ensure_app_client(
        cognito_client(cognito.endpoint),
        cognito.user_pool_id,
        callback_urls=[redirect_uri_for(port)],
    )
    return port


@pytest.fixture
def user(cognito: CognitoLocal) -> CognitoUser:
    return cognito.create_user()


def verified_claims(cognito: CognitoLocal, token: str) -> dict[str, object]:
    """The token's claims, its RS256 signature checked against cognito-local's JWKS."""
    key = jwt.PyJWKClient(cognito.jwks_url).get_signing_key_from_jwt(token)
    claims: dict[str, object] = jwt.decode(
        token, key.key, algorithms=["RS256"], issuer=cognito.issuer
    )
    return claims


def test_the_browser_flow_yields_the_users_access_token(
    cognito: CognitoLocal, user: CognitoUser, callback_port: int
) -> None:
    answers: list[httpx.Response] = []
    urls: list[str] = []

    def browser(url: str) -> None:
        urls.append(url)
        answers.append(sign_in_on_the_form(url, user.email, user.password))

    token = browser_login(
        cognito.endpoint,
        cognito.client_id,
        open_browser=browser,
        port=callback_port,
        timeout=WAIT_SECONDS,
    )

    claims = verified_claims(cognito, token)
    assert claims["sub"] == user.sub
    assert claims["token_use"] == "access"
    assert claims["client_id"] == cognito.client_id
    assert answers[0].status_code == 200
    assert "Signed in" in answers[0].text
    query = dict(parse_qsl(urlsplit(urls[0]).query))
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == f"http://localhost:{callback_port}/callback"
    assert len(query["state"]) >= 32
    assert len(query["code_challenge"]) == len(s256_challenge("x"))


def test_a_redirect_with_the_wrong_state_is_refused(
    cognito: CognitoLocal, user: CognitoUser, callback_port: int
) -> None:
    answers: list[httpx.Response] = []

    def browser(url: str) -> None:
        answers.append(
            sign_in_on_the_form(url, user.email, user.password, tamper=with_state("forged"))
        )

    with pytest.raises(PkceLoginError) as refused:
        browser_login(
            cognito.endpoint,
            cognito.client_id,
            open_browser=browser,
            port=callback_port,
            timeout=WAIT_SECONDS,
        )
    assert refused.value.reason == "state-mismatch"
    assert answers[0].status_code == 400


def test_the_wait_is_bounded(cognito: CognitoLocal, callback_port: int) -> None:
    with pytest.raises(PkceLoginError) as timed_out:
        browser_login(
            cognito.endpoint,
            cognito.client_id,
            open_browser=lambda _url: None,
            port=callback_port,
            timeout=1,
        )
    assert timed_out.value.reason == "timeout"


def test_it_listens_on_127_0_0_1_only(cognito: CognitoLocal, callback_port: int) -> None:
    reached: list[bool] = []

    def browser(_url: str) -> None:
        # The whole of 127/8 is loopback: a listener on every interface would accept 127.0.0.2.
        for host, expected in (("127.0.0.1", True), ("127.0.0.2", False)):
            try:
                socket.create_connection((host, callback_port), timeout=2).close()
                reached.append(True)
            except OSError:
                reached.append(False)
            assert reached[-1] is expected, host

    with pytest.raises(PkceLoginError):
        browser_login(
            cognito.endpoint,
            cognito.client_id,
            open_browser=browser,
            port=callback_port,
            timeout=0.5,
        )
    assert reached == [True, False]


def test_a_busy_port_is_one_clear_error(cognito: CognitoLocal, callback_port: int) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", callback_port))
        taken.listen()
        with pytest.raises(PkceLoginError) as busy:
            browser_login(
                cognito.endpoint,
                cognito.client_id,
                open_browser=lambda _url: None,
                port=callback_port,
                timeout=1,
            )
    assert busy.value.reason == "port-busy"


@pytest.fixture
def config_file(tmp_path: Path, cognito: CognitoLocal) -> Path:
    """A local config naming this session's cognito-local (the API is not needed to log in)."""
    path = tmp_path / "config.json"
    LocalConfig(
        api_url="http://127.0.0.1:9",
        region=cognito.region,
        dynamodb=DynamoDBConfig(endpoint="http://127.0.0.1:9", table_name="payments"),
        cognito=CognitoConfig(
            endpoint=cognito.endpoint,
            user_pool_id=cognito.user_pool_id,
            client_id=cognito.client_id,
            issuer=cognito.issuer,
            jwks_url=cognito.jwks_url,
        ),
    ).write(path)
    return path


@pytest.fixture
def browser_command(tmp_path: Path) -> Path:
    """An executable that `webbrowser` runs as $BROWSER: it signs in on the form, then says so
    on its stdout (which must not reach the command's stdout)."""
    script = tmp_path / "fake-browser"
    script.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent(
            """
            import os, sys
            from tests.integration.test_pkce_login import sign_in_on_the_form
            answer = sign_in_on_the_form(
                sys.argv[1], os.environ["FAKE_BROWSER_EMAIL"], os.environ["FAKE_BROWSER_PASSWORD"]
            )
            print("fake-browser-was-here", answer.status_code)
            """
        ),
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_the_command_opens_the_browser_and_prints_the_token_alone(
    cognito: CognitoLocal,
    user: CognitoUser,
    callback_port: int,
    config_file: Path,
    browser_command: Path,
) -> None:
    env = {
        **os.environ,
        "BROWSER": str(browser_command),
        "FAKE_BROWSER_EMAIL": user.email,
        "FAKE_BROWSER_PASSWORD": user.password,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    env.pop("PAYMENTS_AUTH_DOMAIN", None)
    env.pop("PAYMENTS_CLI_CLIENT_ID", None)
    result = subprocess.run(
        [
            *(str(CLI), "login", "--browser", "--port", str(callback_port)),
            *("--timeout", "30", "--config", str(config_file)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    assert verified_claims(cognito, token)["sub"] == user.sub
    assert "fake-browser-was-here 200" in result.stderr  # the browser's stdout went to stderr
    assert token not in result.stderr
    assert "code=" not in result.stderr
    assert "/oauth2/authorize?" in result.stderr  # the URL, for a headless machine


def test_the_command_without_a_provider_says_what_to_pass(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYMENTS_")}
    result = subprocess.run(
        [str(CLI), "login", "--browser", "--config", str(tmp_path / "none.json")],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "--domain" in result.stderr
    assert "--client-id" in result.stderr


def test_an_existing_password_only_cli_client_gains_the_loopback_redirect(
    cognito: CognitoLocal,
) -> None:
    idp = cognito_client(cognito.endpoint)
    pool = ensure_user_pool(idp, name=f"upgrade-{uuid.uuid4().hex[:8]}")
    old = idp.create_user_pool_client(  # what the bootstrap created before `login --browser`
        UserPoolId=pool,
        ClientName="cli",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]

    assert ensure_app_client(idp, pool) == old
    assert ensure_app_client(idp, pool, callback_urls=[redirect_uri_for(9999)]) == old
    assert ensure_app_client(idp, pool) == old

    described = idp.describe_user_pool_client(UserPoolId=pool, ClientId=old)["UserPoolClient"]
    assert described["CallbackURLs"] == [CLI_CALLBACK_URL, "http://localhost:9999/callback"]
    assert described["AllowedOAuthFlows"] == ["code"]
    assert described["AllowedOAuthFlowsUserPoolClient"] is True
    assert set(described["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert "ClientSecret" not in described
