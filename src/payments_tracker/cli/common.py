"""What every command shares: one-line errors, JSON output, the config and API options, and the
API client of a command (URL and token resolved, problems printed as the API answered them)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final, NoReturn, TypeVar

import click

from payments_tracker.cli.http_api import ApiProblem, ApiUnreachable, HttpApi
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


def fail(message: str) -> NoReturn:
    raise CliError(message)


def read_config(path: Path) -> LocalConfig | None:
    try:
        return LocalConfig.read(path)
    except FileNotFoundError:
        return None
    except ValueError as error:
        fail(f"{path} is not a valid local config ({type(error).__name__}); re-run `make run`")


def local_config(path: Path) -> LocalConfig:
    """The local stack's config file, or a one-line error saying to start the stack."""
    config = read_config(path)
    if config is None:
        fail(f"{path} not found: start the local stack with `make run` ({MANAGED_LOGIN_HINT})")
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
            config = read_config(config_path)
            if config is None:
                fail("no API URL: pass --api-url, set PAYMENTS_API_URL or run `make run` first")
            api_url = config.api_url
        if not token:
            fail("no token: pass --token or export PAYMENTS_TOKEN=$(payments-tracker login …)")
        self._api = HttpApi(api_url, token)
        self.token = token

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: object = None
    ) -> Any:
        """The JSON answer of a 2xx; else the problem on stderr and exit status 1."""
        try:
            return self._api.request(method, path, params=params, body=body)
        except ApiUnreachable as error:
            fail(f"cannot reach {self._api.base_url}: {error}")
        except ApiProblem as error:
            click.echo(json.dumps(error.problem, indent=2, ensure_ascii=False), err=True)
            sys.exit(1)


def token_subject(token: str) -> str:
    """The `sub` claim of a JWT, read without verifying it (the API verifies every request)."""
    import jwt  # noqa: PLC0415 - only `submit` needs it

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        fail("the token is not a JWT: pass --user-id or log in again")
    sub = claims.get("sub")
    if not isinstance(sub, str):
        fail("the token has no sub claim: pass --user-id")
    return sub


def now_with_local_offset() -> str:
    """The current time in RFC 3339 with this machine's UTC offset, to the second."""
    return datetime.now().astimezone().isoformat(timespec="seconds")
