"""`make run`: DynamoDB Local, cognito-local, the local gateway and the web page on 127.0.0.1.

Usage: `python -m payments_tracker.local.stack [--state-dir .local] [--dynamodb-port 8000]
[--cognito-port 9229] [--gateway-port 3000] [--web-port 5173] [--workers N]`; each port also from
the environment (`PAYMENTS_LOCAL_DYNAMODB_PORT`, `PAYMENTS_LOCAL_COGNITO_PORT`,
`PAYMENTS_LOCAL_GATEWAY_PORT`, `PAYMENTS_LOCAL_WEB_PORT`,
`PAYMENTS_LOCAL_STATE_DIR`, `PAYMENTS_LOCAL_WORKERS`). SIGTERM also stops it, with exit code 0.
Running it again keeps the data and the users.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from payments_tracker.local.bootstrap import bootstrap
from payments_tracker.local.config import LOCAL_DIR, LocalConfig
from payments_tracker.local.endpoints import (
    DUMMY_ACCESS_KEY_ID,
    DUMMY_SECRET_ACCESS_KEY,
)
from payments_tracker.local.services import (
    LOOPBACK,
    PreflightError,
    ServiceProcess,
    ServiceStartError,
    check_java,
    check_node,
    check_node_modules,
    check_port_free,
    spawn,
    start_cognito_local,
    start_dynamodb_local,
    stop_all,
    wait_until_answers,
)
from payments_tracker.local.web import (
    WEB_PORT,
    build_page,
    start_web_server,
)
from payments_tracker.observability import METRICS_NAMESPACE, SERVICE_NAME

CORS_ALLOWED_ORIGIN = "http://127.0.0.1:5173"
"""The local web app's dev server."""
GATEWAY_STARTUP_TIMEOUT_SECONDS = 60.0
_SUPERVISE_INTERVAL_SECONDS = 0.5
# Variables of the parent that must not reach the children (they would point boto3 at real AWS).
_SCRUBBED_VARIABLES = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL")


class StackSettings(BaseSettings):
    """Ports, state directory and worker count of the local stack (env prefix `PAYMENTS_LOCAL_`)."""

    model_config = SettingsConfigDict(env_prefix="PAYMENTS_LOCAL_", frozen=True, extra="ignore")

    dynamodb_port: int = Field(default=8000, ge=1, le=65535)
    cognito_port: int = Field(default=9229, ge=1, le=65535)
    gateway_port: int = Field(default=3000, ge=1, le=65535)
    web_port: int = Field(default=WEB_PORT, ge=1, le=65535)
    state_dir: Path = LOCAL_DIR
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)


def gateway_environment(config: LocalConfig, cursor_key: str) -> dict[str, str]:
    """The variables the local gateway and its handlers need (to overlay on os.environ)."""
    return {
        "PAYMENTS_TABLE_NAME": config.dynamodb.table_name,
        "PAYMENTS_DYNAMODB_ENDPOINT_URL": config.dynamodb.endpoint,
        "AWS_REGION": config.region,
        "AWS_DEFAULT_REGION": config.region,
        "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
        "PAYMENTS_ISSUER": config.cognito.issuer,
        "PAYMENTS_JWKS_URL": config.cognito.jwks_url,
        "PAYMENTS_ALLOWED_CLIENT_IDS": ",".join(
            client_id
            for client_id in (config.cognito.client_id, config.cognito.web_client_id)
            if client_id
        ),
        "PAYMENTS_ENABLE_SWAGGER": "true",
        "PAYMENTS_CORS_ALLOWED_ORIGINS": ",".join(
            dict.fromkeys([CORS_ALLOWED_ORIGIN, *([config.web_url] if config.web_url else [])])
        ),
        "PAYMENTS_CURSOR_KEY": cursor_key,
        "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    }


def child_environment(overrides: dict[str, str]) -> dict[str, str]:
    """This process's environment without AWS session variables, with `overrides` on top."""
    base = {key: value for key, value in os.environ.items() if key not in _SCRUBBED_VARIABLES}
    return {**base, **overrides}


def gateway_command(port: int, workers: int, host: str = LOOPBACK) -> list[str]:
    """The command line that starts the local gateway with this interpreter."""
    return [
        sys.executable,
        "-m",
        "payments_tracker.local.gateway",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def start_gateway(
    config: LocalConfig,
    cursor_key: str,
    port: int,
    workers: int,
    *,
    log_path: Path | None = None,
    timeout: float = GATEWAY_STARTUP_TIMEOUT_SECONDS,
) -> ServiceProcess:
    """Start the local gateway on 127.0.0.1:port and wait until it answers HTTP."""
    service = spawn(
        "local gateway",
        gateway_command(port, workers),
        port,
        env=child_environment(gateway_environment(config, cursor_key)),
        log_path=log_path,
    )
    wait_until_answers(service, timeout=timeout)
    return service


def load_or_create_cursor_key(path: Path) -> str:
    """The HMAC key for pagination cursors: read from `path`, or generated once and kept there."""
    if path.is_file():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as key_file:
        key_file.write(key + "\n")
    return key


def next_steps(config: LocalConfig) -> str:
    """What to do once the stack is up: sign up, log in, submit a payment, open Swagger UI."""
    api = config.api_url
    email = "you@example.com"
    password = "correct-horse-battery-staple"  # noqa: S105 - an example in the help text
    caller_sub = '.venv/bin/payments-tracker whoami --token "$TOKEN"'
    new_uuid = ".venv/bin/python -c 'import uuid; print(uuid.uuid4())'"
    body = (
        '{"paymentId":"\'"$(' + new_uuid + ')"\'","userId":"\'"$USER_ID"\'",'
        '"timestamp":"\'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"\'",'
        '"description":"Rent","currency":"GBP","amount":"950.00"}'
    )
    return "\n".join(
        [
            "",
            "payments-tracker is running on 127.0.0.1 (Ctrl-C stops everything):",
            f"  Web page       {config.web_url}/  (sign up first, as below)",
            f"  API            {api}",
            f"  Swagger UI     {api}/swagger",
            f"  DynamoDB Local {config.dynamodb.endpoint}  (table {config.dynamodb.table_name})",
            f"  cognito-local  {config.cognito.endpoint}  (pool {config.cognito.user_pool_id}, "
            f"client {config.cognito.client_id})",
            "",
            "Next steps, in another terminal of this directory:",
            f"  .venv/bin/payments-tracker signup --email {email} --password {password}",
            f"  TOKEN=$(.venv/bin/payments-tracker login --email {email} --password {password})",
            f"  USER_ID=$({caller_sub})",
            f'  curl -i -X POST {api}/payments -H "Authorization: Bearer $TOKEN" \\',
            f"    -H 'Content-Type: application/json' -d '{body}'",
            f'  curl -s {api}/payments?month=$(date -u +%Y-%m) -H "Authorization: Bearer $TOKEN"',
            "",
        ]
    )


class _StopRequested(Exception):
    """Raised in the main thread by the SIGINT/SIGTERM/SIGHUP handler."""


def _request_stop(signum: int, _frame: FrameType | None) -> None:
    # Further signals are ignored so the clean-up cannot be interrupted half way.
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, signal.SIG_IGN)
    raise _StopRequested(signal.Signals(signum).name)


def parse_arguments(argv: Sequence[str] | None, defaults: StackSettings) -> StackSettings:
    """Command-line flags over the environment over the defaults."""
    parser = argparse.ArgumentParser(
        prog="python -m payments_tracker.local.stack",
        description="Run DynamoDB Local, cognito-local and the local gateway on 127.0.0.1.",
    )
    parser.add_argument("--state-dir", type=Path, default=defaults.state_dir)
    parser.add_argument("--dynamodb-port", type=int, default=defaults.dynamodb_port)
    parser.add_argument("--cognito-port", type=int, default=defaults.cognito_port)
    parser.add_argument("--gateway-port", type=int, default=defaults.gateway_port)
    parser.add_argument("--web-port", type=int, default=defaults.web_port)
    parser.add_argument("--workers", type=int, default=defaults.workers)
    arguments = parser.parse_args(argv)
    return StackSettings(
        state_dir=arguments.state_dir,
        dynamodb_port=arguments.dynamodb_port,
        cognito_port=arguments.cognito_port,
        gateway_port=arguments.gateway_port,
        web_port=arguments.web_port,
        workers=arguments.workers,
    )


def preflight(settings: StackSettings) -> None:
    """Check Java, Node, the npm packages and the three ports; raise PreflightError on the first."""
    check_java()
    check_node()
    check_node_modules()
    check_port_free(
        settings.dynamodb_port, "DynamoDB Local", "PAYMENTS_LOCAL_DYNAMODB_PORT or --dynamodb-port"
    )
    check_port_free(
        settings.cognito_port, "cognito-local", "PAYMENTS_LOCAL_COGNITO_PORT or --cognito-port"
    )
    check_port_free(
        settings.gateway_port, "the local gateway", "PAYMENTS_LOCAL_GATEWAY_PORT or --gateway-port"
    )
    check_port_free(settings.web_port, "the web page", "PAYMENTS_LOCAL_WEB_PORT or --web-port")


def _supervise(services: Sequence[ServiceProcess]) -> ServiceProcess:
    """Block until a child exits and return it; a stop signal interrupts this with an exception."""
    while True:
        for service in services:
            if not service.is_running():
                return service
        time.sleep(_SUPERVISE_INTERVAL_SECONDS)


def run(settings: StackSettings) -> int:
    """Start everything, bootstrap, print the next steps, supervise; return the exit code."""
    state_dir = settings.state_dir.resolve()
    logs = state_dir / "logs"
    services: list[ServiceProcess] = []
    try:
        preflight(settings)
        web_root = build_page()
        print(
            "starting DynamoDB Local and cognito-local on 127.0.0.1 …", file=sys.stderr, flush=True
        )
        services.append(
            start_dynamodb_local(
                settings.dynamodb_port, state_dir / "dynamodb", log_path=logs / "dynamodb.log"
            )
        )
        services.append(
            start_cognito_local(
                settings.cognito_port, state_dir / "cognito", log_path=logs / "cognito.log"
            )
        )
        config = bootstrap(
            dynamodb_endpoint=services[0].endpoint,
            cognito_endpoint=services[1].endpoint,
            api_url=f"http://{LOOPBACK}:{settings.gateway_port}",
            web_url=f"http://{LOOPBACK}:{settings.web_port}",
            config_path=state_dir / "config.json",
        )
        cursor_key = load_or_create_cursor_key(state_dir / "cursor.key")
        services.append(
            start_web_server(
                state_dir / "config.json", settings.web_port, web_root, log_path=logs / "web.log"
            )
        )
        # The gateway writes to this terminal: its request log is what a developer wants to see.
        services.append(start_gateway(config, cursor_key, settings.gateway_port, settings.workers))
        print(next_steps(config), flush=True)
        exited = _supervise(services)
        print(
            f"error: {exited.name} exited with code {exited.process.returncode}; stopping the rest"
            + (f" (its log: {exited.log_path})" if exited.log_path else ""),
            file=sys.stderr,
        )
        return 1
    except _StopRequested as stop:
        print(f"\n{stop} received: stopping …", file=sys.stderr, flush=True)
        return 0
    except (PreflightError, ServiceStartError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(stop_signal, signal.SIG_IGN)
        stop_all(services)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m payments_tracker.local.stack` (and `make run`)."""
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, _request_stop)
    try:
        settings = parse_arguments(argv, StackSettings())
    except ValueError as error:  # a bad PAYMENTS_LOCAL_* value
        print(f"error: {error}".splitlines()[0], file=sys.stderr)
        return 2
    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
