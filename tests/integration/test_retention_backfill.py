"""`admin backfill-retention` on DynamoDB Local: payments stored by a version with a shorter
retention get the current TTL; a longer TTL, other items and deleted payments are left alone.

Months are relative to today: DynamoDB Local's TTL sweeper deletes items whose TTL has passed.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from payments_tracker.adapters.dynamodb.corrections import DynamoDBCorrections
from payments_tracker.adapters.dynamodb.repository import DynamoDBPaymentRepository
from payments_tracker.adapters.dynamodb.retention import (
    backfill_retention,
    raise_expiry,
    retention_expiry,
)
from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE
from payments_tracker.cli import root as cli
from payments_tracker.domain.corrections import Correction
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from support.cli_fakes import write_local_config
from support.report_payments import paid
from support.report_tables import fresh_table

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

TTL = PAYMENTS_TABLE.ttl_attribute
THIS_MONTH = Month.of(datetime.now(UTC))


@pytest.fixture
def table(dynamodb_endpoint: str) -> Iterator[tuple[DynamoDBClient, str]]:
    with fresh_table(dynamodb_endpoint, "retention") as created:
        yield created


def key(payment: Payment) -> dict[str, Any]:
    user, pid = payment.submission.user_id, payment.submission.payment_id
    return {"PK": {"S": f"USER#{user}"}, "SK": {"S": f"PAYMENT#{pid}"}}


def stored_ttl(client: DynamoDBClient, name: str, payment: Payment) -> int:
    item = client.get_item(TableName=name, Key=key(payment), ConsistentRead=True)["Item"]
    return int(item[TTL]["N"])


def set_ttl(client: DynamoDBClient, name: str, payment: Payment, value: int) -> None:
    client.update_item(
        TableName=name,
        Key=key(payment),
        UpdateExpression="SET #ttl = :v",
        ExpressionAttributeNames={"#ttl": TTL},
        ExpressionAttributeValues={":v": {"N": str(value)}},
    )


def every_item(client: DynamoDBClient, name: str) -> list[dict[str, Any]]:
    """The whole table, sorted by key: what the backfill must leave as it was, but for TTLs."""
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": name, "ConsistentRead": True}
    while True:
        page = client.scan(**request)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def older_rule(month: Month) -> int:
    """The TTL a version with 26 months of retention stored."""
    return int(month.plus(26).start_utc().timestamp())


@pytest.fixture
def stored(
    table: tuple[DynamoDBClient, str],
) -> tuple[DynamoDBClient, str, list[Payment], int, Correction]:
    """Four payments of one customer (early on the 1st in their offset: the month before in UTC,
    their month is their own): three with the 26-month TTL, the newest with one longer than the
    rule (set by hand); and one of the customer's corrections (no TTL)."""
    client, name = table
    repository = DynamoDBPaymentRepository(client, name)
    user = uuid.uuid4()
    months = [THIS_MONTH.plus(-back) for back in (20, 12, 3, 1)]
    payments = [paid(user, "Rent", f"{m}-01T00:30:00+02:00", "950.00") for m in months]
    for payment in payments:
        assert repository.insert(payment) is None
        assert stored_ttl(client, name, payment) == int(payment.expires_at.timestamp())
    for payment in payments[:3]:
        set_ttl(client, name, payment, older_rule(payment.submission.month))
    longer = retention_expiry(months[3]) + 86_400
    set_ttl(client, name, payments[3], longer)
    correction = Correction(user, uuid.uuid4(), datetime.now(UTC), name="Home")
    DynamoDBCorrections(client, name).record(correction)
    return client, name, payments, longer, correction


def test_older_payments_get_the_current_ttl_and_nothing_else_changes(
    stored: tuple[DynamoDBClient, str, list[Payment], int, Correction],
) -> None:
    client, name, payments, longer, correction = stored
    before = every_item(client, name)

    done = backfill_retention(client, name, now=datetime.now(UTC), page_size=2)

    assert done.scanned == len(before)  # every page, payments or not
    assert (done.payments, done.raised, done.already_right, done.past_retention) == (4, 3, 1, 0)
    assert not done.dry_run
    assert [stored_ttl(client, name, p) for p in payments] == [
        int(p.expires_at.timestamp()) for p in payments[:3]
    ] + [longer]
    after = every_item(client, name)
    without_ttl = [{k: v for k, v in item.items() if k != TTL} for item in after]
    assert without_ttl == [{k: v for k, v in item.items() if k != TTL} for item in before]
    changed = [a for a, b in zip(after, before, strict=True) if a != b]
    assert [item["SK"]["S"] for item in changed] == sorted(
        f"PAYMENT#{p.submission.payment_id}" for p in payments[:3]
    )
    assert DynamoDBCorrections(client, name).of_user(correction.user_id) == [correction]

    again = backfill_retention(client, name, now=datetime.now(UTC))
    assert (again.payments, again.raised, again.already_right) == (4, 0, 4)


def test_a_dry_run_counts_what_it_would_raise_and_writes_nothing(
    stored: tuple[DynamoDBClient, str, list[Payment], int, Correction],
) -> None:
    client, name, _, _, _ = stored
    before = every_item(client, name)

    counted = backfill_retention(client, name, now=datetime.now(UTC), dry_run=True)

    assert (counted.payments, counted.raised, counted.already_right) == (4, 3, 1)
    assert counted.dry_run
    assert every_item(client, name) == before


def test_payments_past_even_the_current_rule_are_not_written(
    stored: tuple[DynamoDBClient, str, list[Payment], int, Correction],
) -> None:
    client, name, _, _, _ = stored
    before = every_item(client, name)
    later = THIS_MONTH.plus(40).start_utc()  # every payment's month is past the rule by then

    outcome = backfill_retention(client, name, now=later)

    assert (outcome.raised, outcome.already_right, outcome.past_retention) == (0, 1, 3)
    assert every_item(client, name) == before


def test_a_payment_deleted_meanwhile_is_not_recreated(table: tuple[DynamoDBClient, str]) -> None:
    client, name = table
    repository = DynamoDBPaymentRepository(client, name)
    payment = paid(uuid.uuid4(), "Gym", f"{THIS_MONTH.plus(-2)}-03T09:00:00Z", "19.99")
    assert repository.insert(payment) is None
    target = retention_expiry(payment.submission.month)
    client.delete_item(TableName=name, Key=key(payment))  # erased after the scan read it

    assert raise_expiry(client, name, key(payment), target) is False

    assert "Item" not in client.get_item(TableName=name, Key=key(payment), ConsistentRead=True)


def test_a_ttl_is_never_lowered(table: tuple[DynamoDBClient, str]) -> None:
    client, name = table
    payment = paid(uuid.uuid4(), "Gym", f"{THIS_MONTH.plus(-2)}-03T09:00:00Z", "19.99")
    assert DynamoDBPaymentRepository(client, name).insert(payment) is None
    target = retention_expiry(payment.submission.month)

    assert raise_expiry(client, name, key(payment), target - 86_400) is False
    assert raise_expiry(client, name, key(payment), target) is False  # already there

    assert stored_ttl(client, name, payment) == target


def test_the_admin_command_prints_the_counts(
    table: tuple[DynamoDBClient, str], dynamodb_endpoint: str, tmp_path: Path
) -> None:
    client, name = table
    payment = paid(uuid.uuid4(), "Gym", f"{THIS_MONTH.plus(-5)}-03T09:00:00Z", "19.99")
    assert DynamoDBPaymentRepository(client, name).insert(payment) is None
    set_ttl(client, name, payment, older_rule(payment.submission.month))
    config = write_local_config(
        tmp_path / "config.json", dynamodb_endpoint=dynamodb_endpoint, table=name
    )
    command = ["admin", "backfill-retention", "--config", str(config)]

    dry = CliRunner().invoke(cli.main, [*command, "--dry-run"], catch_exceptions=False)
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["raised"] == 1
    assert stored_ttl(client, name, payment) == older_rule(payment.submission.month)

    result = CliRunner().invoke(cli.main, command, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed.pop("scanned") >= 1  # the payment and the customer's month slot
    assert printed == {
        "payments": 1,
        "raised": 1,
        "alreadyRight": 0,
        "pastRetention": 0,
        "dryRun": False,
    }
    assert stored_ttl(client, name, payment) == int(payment.expires_at.timestamp())
