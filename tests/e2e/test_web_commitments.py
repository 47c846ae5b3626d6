"""The commitments screen of the web page in headless Chromium against the real local stack.

Like test_web_page.py, this module serves the built page and a gateway whose CORS allow-list holds
the page's origin, and signs a customer up with the CLI. It submits their payments straight
through the API (a gym under two spellings, a streaming service, and a phone contract in another
currency that missed a month and ended months ago), reads GET /commitments/{id}/months for a paid
and a missed month to tell the browser what they must show, then runs
`web/e2e/commitments.e2e.mjs` (playwright-core driving Debian's Chromium): the rows, the months the
strip's cells open, a refused rename, rename, exclude and include, merge. Then it reads
GET /commitments to check the page's changes are the API's. Screenshots land in
test-artifacts/web-commitments/.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from dateutil.relativedelta import relativedelta

from payments_tracker.local.services import PROJECT_ROOT
from support.web_stack import run_in_chromium, sign_up, submit_payment, web_stack_fixture

if TYPE_CHECKING:
    from support.web_stack import Customer, WebStack

pytestmark = pytest.mark.e2e

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "web-commitments"
CURSOR_KEY = "web-commitments-cursor-key-" + "0" * 32
NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
"""An hour ago: the latest payment (never in the future)."""


web_stack = web_stack_fixture("web-commitments", CURSOR_KEY)


def submit_payments(api: httpx.Client, customer: Customer) -> None:
    """A monthly gym under two spellings, a streaming service paid twice, a phone (EUR) that missed
    the month 10 months ago and ended after 7 months ago."""
    payments = [
        ("PUREGYM LTD", 3, "24.99", "GBP"),
        ("PureGym", 2, "24.99", "GBP"),
        ("PureGym", 1, "24.99", "GBP"),
        ("Netflix", 2, "10.99", "GBP"),
        ("Netflix", 1, "10.99", "GBP"),
        ("Old phone", 11, "30.00", "EUR"),
        ("Old phone", 9, "30.00", "EUR"),
        ("Old phone", 8, "30.00", "EUR"),
        ("Old phone", 7, "30.00", "EUR"),
    ]
    for description, months_ago, amount, currency in payments:
        moment = NOW - relativedelta(months=months_ago)
        submit_payment(
            api,
            customer,
            timestamp=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            description=description,
            currency=currency,
            amount=amount,
        )


def listed(api: httpx.Client, token: str) -> dict[str, dict[str, Any]]:
    """GET /commitments, by name."""
    answer = api.get("/commitments", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return {c["name"]: c for c in answer.json()["commitments"]}


def evidence(api: httpx.Client, token: str, commitment: dict[str, Any]) -> list[dict[str, Any]]:
    """GET /commitments/{id}/months: the 24 months, newest first."""
    answer = api.get(
        f"/commitments/{commitment['commitmentId']}/months",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    months: list[dict[str, Any]] = answer.json()["months"]
    assert len(months) == 24
    return months


def month_to_open(months: list[dict[str, Any]], outcome: str, prefix: str) -> dict[str, str]:
    """The newest month with a due date of `outcome`, as the browser is told to check it."""
    for month in months:
        for due in month["dueDates"]:
            if due["outcome"] == outcome:
                paid = [payment["timestamp"][:10] for payment in due["payments"]]
                amounts = [f"{p['amount']} {p['currency']}" for p in due["payments"]]
                return {
                    f"{prefix}_MONTH": month["month"],
                    f"{prefix}_MONTH_WHY": month["why"],
                    f"{prefix}_DUE": due["dueDate"],
                    f"{prefix}_DUE_WHY": due["why"],
                    f"{prefix}_PAID_ON": ",".join(paid),
                    f"{prefix}_AMOUNTS": ",".join(amounts),
                }
    pytest.fail(f"no month with a {outcome} due date: {[m['code'] for m in months]}")


def test_a_customer_renames_excludes_and_merges_commitments_in_chromium(
    web_stack: WebStack,
) -> None:
    customer = sign_up(web_stack, "webc")
    token = customer.token

    with httpx.Client(base_url=web_stack.config.api_url, timeout=30) as api:
        submit_payments(api, customer)
        before = listed(api, token)
        assert set(before) == {"PureGym", "Netflix", "Old phone"}
        assert before["PureGym"]["status"] == "kept"
        assert before["Old phone"]["status"] == "ended"
        paid = month_to_open(evidence(api, token, before["PureGym"]), "paid", "PAID")
        missed = month_to_open(evidence(api, token, before["Old phone"]), "missed", "MISSED")
        assert paid["PAID_AMOUNTS"] == "24.99 GBP"
        assert missed["MISSED_PAID_ON"] == ""

        run_in_chromium("e2e/commitments.e2e.mjs", web_stack, customer, ARTIFACTS, **paid, **missed)

        after = listed(api, token)

    # What the page did is what the API now holds.
    assert set(after) == {"My gym", "Old phone"}
    gym = after["My gym"]
    assert gym["commitmentId"] == before["PureGym"]["commitmentId"]
    assert gym["mergedFrom"] == [before["Netflix"]["commitmentId"]]
    assert gym["excluded"] is True
    assert after["Old phone"]["excluded"] is False
    assert after["Old phone"]["mergedFrom"] == []
