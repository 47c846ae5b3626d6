"""`signup`, `login` and `whoami`: an account on the local pool, and a token from either pool.

`login` prints the access token alone, so `TOKEN=$(payments-tracker login …)` works: with a
password on the local pool, or `login --browser` (authorization code + PKCE with a loopback
redirect, as on AWS).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from payments_tracker.cli.common import (
    config_option,
    fail,
    local_config,
    print_json,
    read_config,
    token_subject,
)
from payments_tracker.cli.pkce_login import DEFAULT_PORT as PKCE_DEFAULT_PORT
from payments_tracker.cli.pkce_login import DEFAULT_TIMEOUT_SECONDS as PKCE_DEFAULT_TIMEOUT
from payments_tracker.cli.pkce_login import PkceLoginError, browser_login, redirect_uri_for
from payments_tracker.local.accounts import AccountError, password_login, sign_up_confirmed

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from payments_tracker.local.config import CognitoConfig


@click.command()
@click.option("--email", required=True)
@click.password_option("--password", confirmation_prompt=False, help="prompted if omitted")
@config_option
def signup(email: str, password: str, config_path: Path) -> None:
    """Create and confirm a user on the local user pool."""
    client, pool = _local_pool(config_path)
    try:
        sub = sign_up_confirmed(
            client,
            pool.user_pool_id,
            pool.client_id,
            email,
            password,
        )
    except AccountError as error:
        if error.reason == "exists":
            fail(f"{email} is already signed up: use `payments-tracker login`")
        if error.reason == "unreachable":
            fail(f"cannot reach the identity provider ({error.code}): is `make run` up?")
        fail(f"sign-up failed: {error.code}")
    print_json({"email": email, "sub": sub, "confirmed": True})


@click.command()
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


def _local_pool(config_path: Path) -> tuple[CognitoIdentityProviderClient, CognitoConfig]:
    """A client of the local stack's user pool, and the pool's ids."""
    # boto3 for 2 of the 12 commands: the others start without it.
    from payments_tracker.local.bootstrap import cognito_client  # noqa: PLC0415

    config = local_config(config_path)
    return cognito_client(config.cognito.endpoint, config.region), config.cognito


def _password_login(email: str, password: str, config_path: Path) -> str:
    """USER_PASSWORD_AUTH on the local pool; one-line errors."""
    client, pool = _local_pool(config_path)
    try:
        return password_login(client, pool.client_id, email, password)
    except AccountError as error:
        messages = {
            "wrong-credentials": "login failed: wrong e-mail or password",
            "not-confirmed": "login failed: the account is not confirmed yet",
            "unreachable": f"cannot reach the identity provider ({error.code}): is `make run` up?",
            "challenge": f"login needs a challenge this command does not answer: {error.code}",
        }
        fail(messages.get(error.reason, f"login failed: {error.code}"))


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

    if domain and not client_id:
        fail("--domain needs --client-id (PAYMENTS_CLI_CLIENT_ID): the stack's CliClientId output")
    if not domain or not client_id:
        config = read_config(config_path)
        if config is None:
            fail(
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
        fail(messages.get(error.reason, f"login failed: {error}"))


def open_in_browser(url: str) -> None:
    """`webbrowser.open(url)` with this process's stdout pointed at stderr meanwhile.

    A browser started from here inherits stdout; were it the pipe of `TOKEN=$(…)`, its output would
    mix with the token and the shell would wait for the browser to exit.
    """
    import webbrowser  # noqa: PLC0415 - only --browser opens one

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.suppress(webbrowser.Error):  # the URL is on stderr already
            webbrowser.open(url)
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@click.command()
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
