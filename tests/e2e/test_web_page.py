"""The customer web page in headless Chromium against the real local stack.

This module serves the built page and a gateway whose CORS allow-list holds the page's origin, signs
a customer up with the CLI, seeds a month with more payments than one page holds, then runs
`web/e2e/page.e2e.mjs` (playwright-core driving Debian's Chromium) and fails with its output when
any step fails. Screenshots land in test-artifacts/web/.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from payments_tracker.local.services import PROJECT_ROOT
from support.cli_process import CLI
from support.web_stack import run_in_chromium, sign_up, submit_payment, web_stack_fixture

if TYPE_CHECKING:
    from support.web_stack import Customer, WebStack

pytestmark = pytest.mark.e2e

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "web"
SEEDED_COUNT = 12
"""More payments than the page's page size (10), so the month's list has a second page."""
CURSOR_KEY = "web-test-cursor-key-" + "0" * 32


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


web_stack = web_stack_fixture("web", CURSOR_KEY)


def reports_in_api() -> bool:
    """True once GET /reports/{month} and /consent are in the committed OpenAPI document."""
    document = json.loads((PROJECT_ROOT / "docs" / "api" / "openapi.json").read_text())
    return {"/reports/{month}", "/consent"} <= set(document["paths"])


def seed_payments(stack: WebStack, customer: Customer, month: str) -> None:
    """SEEDED_COUNT payments of `customer` in `month`, straight through the API."""
    with httpx.Client(base_url=stack.config.api_url, timeout=30) as api:
        for day in range(1, SEEDED_COUNT + 1):
            submit_payment(
                api,
                customer,
                timestamp=f"{month}-{day:02d}T08:00:00+01:00",
                description="Coffee",
                currency="GBP",
                amount=f"3.{day:02d}",
            )


def test_a_customer_signs_in_submits_voids_consents_and_reads_the_report_in_chromium(
    web_stack: WebStack, tmp_path: Path
) -> None:
    customer = sign_up(web_stack, "web")
    config = ("--config", str(web_stack.config_path))

    report_month = newest_closed_month(datetime.now(UTC))
    seeded_month = months_before(report_month, 3)
    seed_payments(web_stack, customer, seeded_month)
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
    run_in_chromium(
        "e2e/page.e2e.mjs",
        web_stack,
        customer,
        ARTIFACTS,
        REPORT_MONTH=report_month,
        SEEDED_MONTH=seeded_month,
        SEEDED_COUNT=str(SEEDED_COUNT),
        BUILD_MONTH_COMMAND=json.dumps(build_month),
    )
