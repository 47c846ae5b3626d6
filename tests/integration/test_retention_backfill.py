"""`admin backfill-retention` on DynamoDB Local: payments stored by a version with a shorter
retention get the current TTL; a longer TTL, other items and deleted payments are left alone.

Months are relative to today: DynamoDB Local's TTL sweeper deletes items whose TTL has passed.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

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


def key(payment: Payment) -> dict[str, dict[str, str]]:
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


def test_older_payments_get_the_current_ttl_and_nothing_else_changes(
    table: tuple[DynamoDBClient, str],
) -> None:
    client, name = table
    repository = DynamoDBPaymentRepository(client, name)
    user = uuid.uuid4()
    months = [THIS_MONTH.plus(-back) for back in (20, 12, 3, 1)]
    payments = [paid(user, "Rent", f"{m}-10T09:00:00Z", "950.00") for m in months]
    for payment in payments:
        assert repository.insert(payment) is None
    older = [int(m.plus(26).start_utc().timestamp()) for m in months]  # the 26-month rule
    for payment, ttl in zip(payments[:3], older[:3], strict=True):
        set_ttl(client, name, payment, ttl)
    longer = retention_expiry(months[3]) + 86_400  # set by hand: never lowered
    set_ttl(client, name, payments[3], longer)
    correction = Correction(user, uuid.uuid4(), datetime.now(UTC), name="Home")
    DynamoDBCorrections(client, name).record(correction)

    counted = backfill_retention(client, name, dry_run=True)
    assert (counted.payments, counted.raised, counted.already_right) == (4, 3, 1)
    assert [stored_ttl(client, name, p) for p in payments[:3]] == older[:3]  # nothing written

    done = backfill_retention(client, name)

    assert (done.payments, done.raised, done.already_right, done.dry_run) == (4, 3, 1, False)
    assert [stored_ttl(client, name, p) for p in payments] == [
        int(p.expires_at.timestamp()) for p in payments[:3]
    ] + [longer]
    assert DynamoDBCorrections(client, name).of_user(user) == [correction]
    again = backfill_retention(client, name)
    assert (again.raised, again.already_right) == (0, 4)


def test_a_payment_deleted_meanwhile_is_not_recreated(table: tuple[DynamoDBClient, str]) -> None:
    client, name = table
    payment = paid(uuid.uuid4(), "Gym", f"{THIS_MONTH.plus(-2)}-03T09:00:00Z", "19.99")
    target = retention_expiry(payment.submission.month) + int(timedelta(days=1).total_seconds())

    assert raise_expiry(client, name, key(payment), target) is False

    assert "Item" not in client.get_item(TableName=name, Key=key(payment), ConsistentRead=True)


def test_the_admin_command_prints_the_counts(
    table: tuple[DynamoDBClient, str], dynamodb_endpoint: str, tmp_path: Path
) -> None:
    client, name = table
    payment = paid(uuid.uuid4(), "Gym", f"{THIS_MONTH.plus(-5)}-03T09:00:00Z", "19.99")
    assert DynamoDBPaymentRepository(client, name).insert(payment) is None
    set_ttl(client, name, payment, int(THIS_MONTH.plus(21).start_utc().timestamp()))
    config = write_local_config(
        tmp_path / "config.json", dynamodb_endpoint=dynamodb_endpoint, table=name
    )

    result = CliRunner().invoke(
        cli.main, ["admin", "backfill-retention", "--config", str(config)], catch_exceptions=False
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "payments": 1,
        "raised": 1,
        "alreadyRight": 0,
        "dryRun": False,
    }
    assert stored_ttl(client, name, payment) == int(payment.expires_at.timestamp())
