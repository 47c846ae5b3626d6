"""The customer web page in headless Chromium against the real local stack.

This module serves the built page and a gateway whose CORS allow-list holds the page's origin, signs
a customer up with the CLI, seeds a month with more payments than one page holds, then runs
`web/e2e/page.e2e.mjs` (playwright-core driving Debian's Chromium) and fails with its output when
any step fails. Screenshots land in test-artifacts/web/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from payments_tracker.edge.web_config import WEB_SCOPES
from payments_tracker.local.bootstrap import cognito_client, ensure_web_client
from payments_tracker.local.config import LocalConfig
from payments_tracker.local.services import LOOPBACK, PROJECT_ROOT, free_port
from payments_tracker.local.web import WEB_DIR, build_page, start_web_server
from support.local_stack import config_of, throwaway_gateway

if TYPE_CHECKING:
    from tests.conftest import CognitoLocal

pytestmark = pytest.mark.e2e

CHROMIUM = Path(os.environ.get("PAYMENTS_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "web"
CLI = Path(sys.executable).parent / "payments-tracker"
BROWSER_RUN_TIMEOUT_SECONDS = 300
SEEDED_COUNT = 12
"""More payments than the page's page size (10), so the month's list has a second page."""
CURSOR_KEY = "web-test-cursor-key-" + "0" * 32


@dataclass(frozen=True)
class WebStack:
    """The served page and the config that wires it to the session's services."""

    config: LocalConfig
    config_path: Path


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the payments-tracker command."""
    return subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, timeout=120, check=False
    )


def months_before(month: str, count: int) -> str:
    """The month `count` months before YYYY-MM."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def newest_closed_month(now: datetime) -> str:
    """The newest month that can be built: over everywhere from 12:00 UTC on the 1st after it."""
    current = f"{now.year:04d}-{now.month:02d}"
    over_everywhere = now.replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    return months_before(current, 1 if now >= over_everywhere + timedelta(minutes=5) else 2)


@pytest.fixture(scope="module")
def web_stack(
    dynamodb_endpoint: str,
    cognito: CognitoLocal,
    services_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[WebStack]:
    """The page on a free port, its `web` client, and a gateway that lets its origin in."""
    web_root = build_page(log=False)
    web_url = f"http://{LOOPBACK}:{free_port()}"
    gateway_port = free_port()
    web_client_id = ensure_web_client(
        cognito_client(cognito.endpoint), cognito.user_pool_id, [f"{web_url}/"], WEB_SCOPES
    )
    config = config_of(
        dynamodb_endpoint, cognito, gateway_port, web_url=web_url, web_client_id=web_client_id
    )
    config_path = tmp_path_factory.mktemp("web") / "config.json"
    config.write(config_path)
    with throwaway_gateway(config, CURSOR_KEY, 1, services_dir / "web-gateway.log"):
        page = start_web_server(
            config_path,
            int(web_url.rsplit(":", 1)[1]),
            web_root,
            log_path=services_dir / "web-page.log",
        )
        try:
            yield WebStack(config=config, config_path=config_path)
        finally:
            page.stop()


def reports_in_api() -> bool:
    """True once GET /reports/{month} and /consent are in the committed OpenAPI document."""
    document = json.loads((PROJECT_ROOT / "docs" / "api" / "openapi.json").read_text())
    return {"/reports/{month}", "/consent"} <= set(document["paths"])


def seed_payments(stack: WebStack, token: str, month: str) -> None:
    """SEEDED_COUNT payments in `month`, straight through the API."""
    user_id = cli("whoami", "--token", token).stdout.strip()
    with httpx.Client(base_url=stack.config.api_url, timeout=30) as api:
        for day in range(1, SEEDED_COUNT + 1):
            answer = api.post(
                "/payments",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "paymentId": str(uuid.uuid4()),
                    "userId": user_id,
                    "timestamp": f"{month}-{day:02d}T08:00:00+01:00",
                    "description": "Coffee",
                    "currency": "GBP",
                    "amount": f"3.{day:02d}",
                },
            )
            assert answer.status_code == 201, answer.text


def test_a_customer_signs_in_submits_voids_consents_and_reads_the_report_in_chromium(
    web_stack: WebStack, tmp_path: Path
) -> None:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (as .ci/run does)")
    email, password = f"web-{uuid.uuid4().hex[:10]}@example.com", f"Pw-{uuid.uuid4().hex}"
    config = ("--config", str(web_stack.config_path))
    signed_up = cli("signup", "--email", email, "--password", password, *config)
    assert signed_up.returncode == 0, signed_up.stderr
    login = cli("login", "--email", email, "--password", password, *config)
    assert login.returncode == 0, login.stderr

    report_month = newest_closed_month(datetime.now(UTC))
    seeded_month = months_before(report_month, 3)
    seed_payments(web_stack, login.stdout.strip(), seeded_month)
    build_month = (
        [
            str(CLI),
            "report",
            "build",
            "--month",
            report_month,
            "--workers",
            "1",
            "--export-dir",
            str(tmp_path / "exports"),
            *config,
        ]
        if reports_in_api()
        else []
    )
    assert web_stack.config.web_url is not None

    started = time.monotonic()
    run = subprocess.run(
        ["node", "e2e/page.e2e.mjs"],
        cwd=WEB_DIR,
        env={
            **os.environ,
            "PAGE_URL": web_stack.config.web_url,
            "EMAIL": email,
            "PASSWORD": password,
            "REPORT_MONTH": report_month,
            "SEEDED_MONTH": seeded_month,
            "SEEDED_COUNT": str(SEEDED_COUNT),
            "BUILD_MONTH_COMMAND": json.dumps(build_month),
            "CHROMIUM": str(CHROMIUM),
            "ARTIFACTS_DIR": str(ARTIFACTS),
        },
        capture_output=True,
        text=True,
        timeout=BROWSER_RUN_TIMEOUT_SECONDS,
        check=False,
    )
    print(run.stdout, f"browser run: {time.monotonic() - started:.1f} s", sep="\n")
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    assert password not in run.stdout + run.stderr
