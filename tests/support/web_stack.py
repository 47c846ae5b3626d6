"""What the web page's browser tests share: the page served beside a throwaway gateway that lets
its origin in, a customer signed up with the CLI and their payments submitted through the API, and
one run of a browser script in Chromium."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from payments_tracker.edge.web_config import WEB_SCOPES
from payments_tracker.local.bootstrap import cognito_client, ensure_web_client
from payments_tracker.local.config import LocalConfig
from payments_tracker.local.services import LOOPBACK, free_port
from payments_tracker.local.web import WEB_DIR, build_page, start_web_server
from support.cli_process import run_cli, sign_up_with_cli
from support.local_stack import config_of, throwaway_gateway

if TYPE_CHECKING:
    from tests.conftest import CognitoLocal

CHROMIUM = Path(os.environ.get("PAYMENTS_TEST_CHROMIUM", "/usr/bin/chromium"))
BROWSER_RUN_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class WebStack:
    """The served page and the config that wires it to the session's services."""

    config: LocalConfig
    config_path: Path


@dataclass(frozen=True)
class Customer:
    """A customer signed up and logged in through the CLI."""

    email: str
    password: str
    token: str
    user_id: str


@contextmanager
def serve_web_stack(  # noqa: PLR0917 - the two tests' fixtures pass their session's services
    name: str,
    cursor_key: str,
    dynamodb_endpoint: str,
    cognito: CognitoLocal,
    log_dir: Path,
    config_dir: Path,
) -> Iterator[WebStack]:
    """The page on a free port, its `web` client, and a gateway that lets its origin in."""
    web_root = build_page(log=False)
    web_url = f"http://{LOOPBACK}:{free_port()}"
    web_client_id = ensure_web_client(
        cognito_client(cognito.endpoint), cognito.user_pool_id, [f"{web_url}/"], WEB_SCOPES
    )
    config = config_of(
        dynamodb_endpoint, cognito, free_port(), web_url=web_url, web_client_id=web_client_id
    )
    config_path = config_dir / "config.json"
    config.write(config_path)
    with throwaway_gateway(config, cursor_key, 1, log_dir / f"{name}-gateway.log"):
        page = start_web_server(
            config_path,
            int(web_url.rsplit(":", 1)[1]),
            web_root,
            log_path=log_dir / f"{name}-page.log",
        )
        try:
            yield WebStack(config=config, config_path=config_path)
        finally:
            page.stop()


def web_stack_fixture(name: str, cursor_key: str) -> Callable[..., Iterator[WebStack]]:
    """A test module's `web_stack` fixture (module-scoped): `serve_web_stack` on the session's
    services, its logs and config named `name`."""

    @pytest.fixture(scope="module")
    def web_stack(
        dynamodb_endpoint: str,
        cognito: CognitoLocal,
        services_dir: Path,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Iterator[WebStack]:
        """The page on a free port, its `web` client, and a gateway that lets its origin in."""
        with serve_web_stack(
            name,
            cursor_key,
            dynamodb_endpoint,
            cognito,
            services_dir,
            tmp_path_factory.mktemp(name),
        ) as stack:
            yield stack

    return web_stack


def sign_up(stack: WebStack, prefix: str) -> Customer:
    """A new customer, signed up and logged in with the CLI against `stack`."""
    signed_up = sign_up_with_cli(stack.config_path, prefix)
    user_id = run_cli("whoami", "--token", signed_up.token).stdout.strip()
    return Customer(signed_up.email, signed_up.password, signed_up.token, user_id)


def submit_payment(
    api: httpx.Client,
    customer: Customer,
    *,
    timestamp: str,
    description: str,
    currency: str,
    amount: str,
) -> None:
    """One payment of `customer` (a new paymentId), straight through the API; it must be stored."""
    answer = api.post(
        "/payments",
        headers={"Authorization": f"Bearer {customer.token}"},
        json={
            "paymentId": str(uuid.uuid4()),
            "userId": customer.user_id,
            "timestamp": timestamp,
            "description": description,
            "currency": currency,
            "amount": amount,
        },
    )
    assert answer.status_code == 201, answer.text


def run_in_chromium(
    script: str, stack: WebStack, customer: Customer, artifacts: Path, **extra: str
) -> None:
    """Run `web/<script>` (playwright-core driving Debian's Chromium) as `customer`; fail with
    its output if it fails, or if the password shows in it."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (as .ci/run does)")
    assert stack.config.web_url is not None
    started = time.monotonic()
    run = subprocess.run(
        ["node", script],
        cwd=WEB_DIR,
        env={
            **os.environ,
            "PAGE_URL": stack.config.web_url,
            "EMAIL": customer.email,
            "PASSWORD": customer.password,
            "CHROMIUM": str(CHROMIUM),
            "ARTIFACTS_DIR": str(artifacts),
            **extra,
        },
        capture_output=True,
        text=True,
        timeout=BROWSER_RUN_TIMEOUT_SECONDS,
        check=False,
    )
    print(run.stdout, f"browser run: {time.monotonic() - started:.1f} s", sep="\n")
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    assert customer.password not in run.stdout + run.stderr
