"""The `payments-tracker` command: sign up and log in, then call the API.

Results are JSON on stdout; errors (the API's problem+json bodies, or one line) go to stderr with a
non-zero exit status. `login` prints the access token alone, so `TOKEN=$(payments-tracker login …)`
works: with a password on the local pool, or `login --browser` (authorization code + PKCE with a
loopback redirect, as on AWS). The API address comes from `--api-url`, `PAYMENTS_API_URL` or
`.local/config.json`; the token from `--token` or `PAYMENTS_TOKEN`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final, NoReturn, TypeVar
from urllib.parse import quote

import click

from payments_tracker.adapters.cognito.pkce_login import DEFAULT_PORT as PKCE_DEFAULT_PORT
from payments_tracker.adapters.cognito.pkce_login import (
    DEFAULT_TIMEOUT_SECONDS as PKCE_DEFAULT_TIMEOUT,
)
from payments_tracker.adapters.http_api import ApiProblem, ApiUnreachable, HttpApi
from payments_tracker.local.config import CONFIG_PATH, LocalConfig

MANAGED_LOGIN_HINT: Final = (
    "accounts on a deployed stack are created and signed in through the Cognito managed login "
    "(authorization code + PKCE: `payments-tracker login --browser`), not with a password here"
)

F = TypeVar("F", bound=Callable[..., Any])


class CliError(click.ClickException):
    """A failure explained in one line on stderr (exit status 1)."""

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the message alone, without click's 'Error:' decoration."""
        click.echo(f"payments-tracker: {self.format_message()}", file=file or sys.stderr)


def _fail(message: str) -> NoReturn:
    raise CliError(message)


def _read_config(path: Path) -> LocalConfig | None:
    try:
        return LocalConfig.read(path)
    except FileNotFoundError:
        return None
    except ValueError as error:
        _fail(f"{path} is not a valid local config ({type(error).__name__}); re-run `make run`")


def local_config(path: Path) -> LocalConfig:
    """The local stack's config file, or a one-line error saying to start the stack."""
    config = _read_config(path)
    if config is None:
        _fail(f"{path} not found: start the local stack with `make run` ({MANAGED_LOGIN_HINT})")
    return config


def print_json(value: object) -> None:
    """A JSON result on stdout, indented."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def config_option(function: F) -> F:
    """The `--config` option: where the local stack's config file is."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=CONFIG_PATH,
        show_default=True,
        help="the local stack's config file",
    )(function)


def api_options(function: F) -> F:
    """`--api-url`, `--token` and `--config`: where the API is and who is calling."""
    function = click.option(
        "--token",
        envvar="PAYMENTS_TOKEN",
        show_envvar=True,
        help="access token (from `payments-tracker login`)",
    )(function)
    function = click.option(
        "--api-url",
        envvar="PAYMENTS_API_URL",
        show_envvar=True,
        help="API base URL, e.g. https://…/v1 [default: apiUrl of the config file]",
    )(function)
    return config_option(function)


class ApiClient:
    """API v1 for a command: URL and token resolved, errors printed as the API's problem."""

    def __init__(self, api_url: str | None, token: str | None, config_path: Path) -> None:
        """Resolve the API URL (flag, env, config file) and require a token."""
        if not api_url:
            config = _read_config(config_path)
            if config is None:
                _fail("no API URL: pass --api-url, set PAYMENTS_API_URL or run `make run` first")
            api_url = config.api_url
        if not token:
            _fail("no token: pass --token or export PAYMENTS_TOKEN=$(payments-tracker login …)")
        self._api = HttpApi(api_url, token)
        self.token = token

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: object = None
    ) -> Any:
        """The JSON answer of a 2xx; else the problem on stderr and exit status 1."""
        try:
            return self._api.request(method, path, params=params, body=body)
        except ApiUnreachable as error:
            _fail(f"cannot reach {self._api.base_url}: {error}")
        except ApiProblem as error:
            click.echo(json.dumps(error.problem, indent=2, ensure_ascii=False), err=True)
            sys.exit(1)


def token_subject(token: str) -> str:
    """The `sub` claim of a JWT, read without verifying it (the API verifies every request)."""
    import jwt  # noqa: PLC0415 - only `submit` needs it

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        _fail("the token is not a JWT: pass --user-id or log in again")
    sub = claims.get("sub")
    if not isinstance(sub, str):
        _fail("the token has no sub claim: pass --user-id")
    return sub


def now_with_local_offset() -> str:
    """The current time in RFC 3339 with this machine's UTC offset, to the second."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Submit and read your recurring monthly payments."""


@main.command()
@click.option("--email", required=True)
@click.password_option("--password", confirmation_prompt=False, help="prompted if omitted")
@config_option
def signup(email: str, password: str, config_path: Path) -> None:
    """Create and confirm a user on the local user pool."""
    from payments_tracker.adapters.cognito.accounts import (  # noqa: PLC0415
        AccountError,
        sign_up_confirmed,
    )
    from payments_tracker.local.bootstrap import cognito_client  # noqa: PLC0415

    config = local_config(config_path)
    pool = config.cognito
    try:
        sub = sign_up_confirmed(
            cognito_client(pool.endpoint, config.region),
            pool.user_pool_id,
            pool.client_id,
            email,
            password,
        )
    except AccountError as error:
        if error.reason == "exists":
            _fail(f"{email} is already signed up: use `payments-tracker login`")
        if error.reason == "unreachable":
            _fail(f"cannot reach the identity provider ({error.code}): is `make run` up?")
        _fail(f"sign-up failed: {error.code}")
    print_json({"email": email, "sub": sub, "confirmed": True})


@main.command()
@click.option("--email", help="your e-mail (password login, local pool only)")
@click.option("--password", help="prompted if omitted (password login)")
@click.option(
    "--browser",
    is_flag=True,
    help="sign in in your browser instead: authorization code + PKCE with a loopback redirect "
    "(the way on AWS; also works on the local stack)",
)
@click.option(
    "--domain",
    envvar="PAYMENTS_AUTH_DOMAIN",
    show_envvar=True,
    help="with --browser: the managed login domain, https://<prefix>.auth.<region>."
    "amazoncognito.com [default: the local stack's cognito-local]",
)
@click.option(
    "--client-id",
    envvar="PAYMENTS_CLI_CLIENT_ID",
    show_envvar=True,
    help="with --browser: the `cli` app client's id [default: the local stack's]",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=PKCE_DEFAULT_PORT,
    show_default=True,
    help="with --browser: listen on 127.0.0.1:<port> for http://localhost:<port>/callback "
    "(a callback URL registered on the client)",
)
@click.option(
    "--no-open",
    is_flag=True,
    help="with --browser: only print the sign-in URL (open it yourself)",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 600),
    default=PKCE_DEFAULT_TIMEOUT,
    show_default=True,
    help="with --browser: seconds to wait for the sign-in",
)
@config_option
def login(
    *,
    email: str | None,
    password: str | None,
    browser: bool,
    domain: str | None,
    client_id: str | None,
    port: int,
    no_open: bool,
    timeout: float,
    config_path: Path,
) -> None:
    """Log in and print the access token alone on stdout.

    With --email, a password login on the local user pool; with --browser, the managed login (or
    cognito-local's login form) in your browser, as on AWS.
    """
    if browser:
        if email or password:
            raise click.UsageError("--browser signs in in the browser: drop --email/--password")
        token = _browser_login(
            domain=domain,
            client_id=client_id,
            port=port,
            no_open=no_open,
            timeout=timeout,
            config_path=config_path,
        )
    else:
        if not email:
            raise click.UsageError("pass --email (password login, local pool) or --browser")
        if password is None:
            password = click.prompt("Password", hide_input=True, err=True)
        token = _password_login(email, password, config_path)
    click.echo(token)


def _password_login(email: str, password: str, config_path: Path) -> str:
    """USER_PASSWORD_AUTH on the local pool; one-line errors."""
    from payments_tracker.adapters.cognito.accounts import (  # noqa: PLC0415
        AccountError,
        password_login,
    )
    from payments_tracker.local.bootstrap import cognito_client  # noqa: PLC0415

    config = local_config(config_path)
    pool = config.cognito
    try:
        return password_login(
            cognito_client(pool.endpoint, config.region), pool.client_id, email, password
        )
    except AccountError as error:
        messages = {
            "wrong-credentials": "login failed: wrong e-mail or password",
            "not-confirmed": "login failed: the account is not confirmed yet",
            "unreachable": f"cannot reach the identity provider ({error.code}): is `make run` up?",
            "challenge": f"login needs a challenge this command does not answer: {error.code}",
        }
        _fail(messages.get(error.reason, f"login failed: {error.code}"))


def _browser_login(
    *,
    domain: str | None,
    client_id: str | None,
    port: int,
    no_open: bool,
    timeout: float,
    config_path: Path,
) -> str:
    """Authorization code + PKCE through the browser; the URL on stderr, never a secret."""
    from payments_tracker.adapters.cognito.pkce_login import (  # noqa: PLC0415
        PkceLoginError,
        browser_login,
        redirect_uri_for,
    )

    if domain and not client_id:
        _fail("--domain needs --client-id (PAYMENTS_CLI_CLIENT_ID): the stack's CliClientId output")
    if not domain or not client_id:
        config = _read_config(config_path)
        if config is None:
            _fail(
                "no identity provider: pass --domain and --client-id (or set "
                "PAYMENTS_AUTH_DOMAIN and PAYMENTS_CLI_CLIENT_ID; see docs/deploy.md), "
                "or start the local stack with `make run`"
            )
        domain = domain or config.cognito.endpoint
        client_id = client_id or config.cognito.client_id

    def show_and_open(url: str) -> None:
        click.echo("Sign in in your browser; if it does not open, open this URL:", err=True)
        click.echo(url, err=True)
        click.echo(f"Waiting up to {timeout:g} s for {redirect_uri_for(port)} …", err=True)
        if not no_open:
            open_in_browser(url)

    try:
        return browser_login(
            domain, client_id, open_browser=show_and_open, port=port, timeout=timeout
        )
    except PkceLoginError as error:
        messages = {
            "port-busy": f"cannot listen on {error.detail}: free it or pass --port "
            "(its callback URL must be registered on the client)",
            "timeout": f"login timed out: {error.detail}",
            "state-mismatch": "login refused: the redirect's state did not match this login",
            "denied": f"login failed: the identity provider answered {error.detail}",
            "unreachable": f"cannot reach the token endpoint ({error.detail})",
            "refused": f"login failed: the token endpoint refused the code ({error.detail})",
        }
        _fail(messages.get(error.reason, f"login failed: {error}"))


def open_in_browser(url: str) -> None:
    """`webbrowser.open(url)` with this process's stdout pointed at stderr meanwhile.

    A browser started from here inherits stdout; were it the pipe of `TOKEN=$(…)`, its output would
    mix with the token and the shell would wait for the browser to exit.
    """
    import webbrowser  # noqa: PLC0415

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.suppress(webbrowser.Error):  # the URL is on stderr already
            webbrowser.open(url)
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@main.command()
@click.option("--description", required=True, help="what the payment is for, e.g. Netflix")
@click.option(
    "--amount", required=True, help='decimal string in the currency\'s units, e.g. "12.99"'
)
@click.option("--currency", required=True, help="ISO 4217 code, e.g. GBP")
@click.option("--timestamp", help="RFC 3339 date-time [default: now, with the local UTC offset]")
@click.option("--payment-id", help="UUID v4 [default: a new one; reuse it to retry safely]")
@click.option("--user-id", help="your user id [default: the token's sub]")
@api_options
def submit(
    *,
    description: str,
    amount: str,
    currency: str,
    timestamp: str | None,
    payment_id: str | None,
    user_id: str | None,
    api_url: str | None,
    token: str | None,
    config_path: Path,
) -> None:
    """Submit one payment (POST /payments)."""
    api = ApiClient(api_url, token, config_path)
    submission = {
        "paymentId": payment_id or str(uuid.uuid4()),
        "userId": user_id or token_subject(api.token),
        "timestamp": timestamp or now_with_local_offset(),
        "description": description,
        "currency": currency,
        "amount": amount,
    }
    print_json(api.request("POST", "/payments", body=submission))


@main.command()
@click.option(
    "--token",
    envvar="PAYMENTS_TOKEN",
    show_envvar=True,
    required=True,
    help="access token (from `payments-tracker login`)",
)
def whoami(token: str) -> None:
    """Print your user id (the token's `sub`): the `userId` of your submissions."""
    click.echo(token_subject(token))


@main.command()
@click.argument("payment_id")
@api_options
def get(payment_id: str, api_url: str | None, token: str | None, config_path: Path) -> None:
    """Show one of your payments (GET /payments/{paymentId})."""
    api = ApiClient(api_url, token, config_path)
    print_json(api.request("GET", f"/payments/{quote(payment_id, safe='')}"))


@main.command(name="list")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--limit", type=click.IntRange(1, 100), help="page size (1-100) [API default: 50]")
@click.option("--cursor", help="nextCursor of the previous page")
@click.option("--all", "fetch_all", is_flag=True, help="follow nextCursor and print every page")
@api_options
def list_payments(
    *,
    month: str,
    limit: int | None,
    cursor: str | None,
    fetch_all: bool,
    api_url: str | None,
    token: str | None,
    config_path: Path,
) -> None:
    """List your payments of a month, newest first (GET /payments?month=)."""
    api = ApiClient(api_url, token, config_path)
    items: list[Any] = []
    while True:
        params: dict[str, Any] = {"month": month}
        if limit is not None:
            params["limit"] = limit  # a cursor is bound to the limit it was issued with
        if cursor:
            params["cursor"] = cursor
        page = api.request("GET", "/payments", params=params)
        if not fetch_all:
            print_json(page)
            return
        items.extend(page.get("items", []))
        cursor = page.get("nextCursor")
        if not cursor:
            print_json({"items": items, "nextCursor": None})
            return


@main.command()
@click.argument("payment_id")
@click.option("--reason", help="why, in up to 140 characters; kept with the voiding")
@api_options
def void(
    payment_id: str,
    reason: str | None,
    api_url: str | None,
    token: str | None,
    config_path: Path,
) -> None:
    """Void one of your payments (POST /payments/{paymentId}/void); it is kept, marked voided."""
    api = ApiClient(api_url, token, config_path)
    body = {"reason": reason} if reason is not None else None
    print_json(api.request("POST", f"/payments/{quote(payment_id, safe='')}/void", body=body))


@main.group()
def report() -> None:
    """Monthly reports: build a month (operator), read your own (customer)."""


@main.group()
def consent() -> None:
    """Your consent to sharing kept commitments with your credit file."""


@main.group()
def admin() -> None:
    """Operator commands on the local stack (or a deployed one, with AWS credentials)."""


# The command modules attach their commands to the groups above when imported.
def _register_commands() -> None:
    import payments_tracker.cli_consent  # noqa: PLC0415
    import payments_tracker.cli_reports  # noqa: F401, PLC0415


_register_commands()
