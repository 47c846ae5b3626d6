"""The DynamoDB repository against the real DynamoDB Local: the item layout and its conditions."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import boto3
import pytest

from payments_tracker.adapters.dynamodb.client import CLIENT_CONFIG
from payments_tracker.adapters.dynamodb.repository import DynamoDBPaymentRepository
from payments_tracker.adapters.dynamodb.table import BY_MONTH, PAYMENTS_TABLE
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment, PaymentStatus, validate_submission
from payments_tracker.domain.sharding import shard_of
from payments_tracker.local.bootstrap import TABLE_NAME, dynamodb_client
from payments_tracker.service.ports import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def client(dynamodb_endpoint: str) -> DynamoDBClient:
    return dynamodb_client(dynamodb_endpoint)


@pytest.fixture
def repository(client: DynamoDBClient) -> DynamoDBPaymentRepository:
    return DynamoDBPaymentRepository(client, TABLE_NAME)


def make_payment(
    user: uuid.UUID,
    *,
    timestamp: str = "2026-11-20T10:00:00+01:00",
    amount: str = "12.9",
    description: str = "Netflix",
    payment_id: uuid.UUID | None = None,
) -> Payment:
    submission = validate_submission(
        {
            "paymentId": str(payment_id or uuid.uuid4()),
            "userId": str(user),
            "timestamp": timestamp,
            "description": description,
            "currency": "GBP",
            "amount": amount,
        },
        NOW,
    )
    return Payment(submission=submission, received_at=NOW)


def test_insert_stores_the_canonical_item_with_every_index_key(
    repository: DynamoDBPaymentRepository, client: DynamoDBClient
) -> None:
    user = uuid.uuid4()
    payment = make_payment(user, timestamp="2026-11-30T23:30:00-05:00")

    assert repository.insert(payment) is None

    item = client.get_item(
        TableName=TABLE_NAME,
        Key={"PK": {"S": f"USER#{user}"}, "SK": {"S": f"PAYMENT#{payment.submission.payment_id}"}},
        ConsistentRead=True,
    )["Item"]
    pid = payment.submission.payment_id
    assert item["amount"] == {"S": "12.90"}
    assert item["timestamp"] == {"S": "2026-11-30T23:30:00-05:00"}
    # the customer's month (November), though the UTC instant is in December
    assert item["byMonthTimeSK"] == {"S": f"2026-11#2026-12-01T04:30:00.000000Z#{pid}"}
    assert item[BY_MONTH.partition_key] == {"S": f"MONTH#2026-11#{shard_of(user):02d}"}
    assert item[BY_MONTH.sort_key] == {"S": f"{user}#2026-12-01T04:30:00.000000Z#{pid}"}
    assert item["status"] == {"S": "active"}
    assert item[PAYMENTS_TABLE.ttl_attribute] == {
        "N": str(int(datetime(2029, 2, 1, tzinfo=UTC).timestamp()))
    }


def test_insert_of_a_taken_key_returns_the_stored_payment_and_overwrites_nothing(
    repository: DynamoDBPaymentRepository,
) -> None:
    user = uuid.uuid4()
    first = make_payment(user, amount="10")
    second = make_payment(user, amount="99", payment_id=first.submission.payment_id)

    assert repository.insert(first) is None
    existing = repository.insert(second)

    assert existing is not None
    assert existing.submission.money.amount == Decimal("10.00")
    stored = repository.get(user, first.submission.payment_id)
    assert stored is not None
    assert stored.submission.canonical() == first.submission.canonical()


def test_concurrent_inserts_of_one_payment_store_it_exactly_once(
    repository: DynamoDBPaymentRepository,
) -> None:
    user = uuid.uuid4()
    payment = make_payment(user)
    outcomes: list[Payment | None] = []
    lock = threading.Lock()

    def submit() -> None:
        result = repository.insert(payment)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sum(1 for outcome in outcomes if outcome is None) == 1
    assert len(outcomes) == 8


def test_get_is_keyed_by_the_owner(repository: DynamoDBPaymentRepository) -> None:
    owner, stranger = uuid.uuid4(), uuid.uuid4()
    payment = make_payment(owner)
    repository.insert(payment)

    assert repository.get(owner, payment.submission.payment_id) == payment
    assert repository.get(stranger, payment.submission.payment_id) is None


def test_replace_active_voids_once_and_refuses_a_second_time(
    repository: DynamoDBPaymentRepository,
) -> None:
    user = uuid.uuid4()
    payment = make_payment(user)
    repository.insert(payment)
    voided = payment.voided(by=str(user), at=NOW)

    assert repository.replace_active(voided) is True
    assert repository.replace_active(voided) is False
    stored = repository.get(user, payment.submission.payment_id)
    assert stored is not None
    assert stored.status is PaymentStatus.VOIDED
    assert stored.voiding is not None
    assert stored.voiding.voided_by == str(user)


def test_a_voids_reason_is_stored_with_the_voiding_and_read_back(
    repository: DynamoDBPaymentRepository,
) -> None:
    user = uuid.uuid4()
    payment = make_payment(user)
    repository.insert(payment)

    assert repository.replace_active(payment.voided(by=str(user), at=NOW, reason="Entered twice"))

    stored = repository.get(user, payment.submission.payment_id)
    assert stored is not None
    assert stored.voiding is not None
    assert stored.voiding.reason == "Entered twice"


def test_replace_active_never_creates_a_missing_payment(
    repository: DynamoDBPaymentRepository,
) -> None:
    user = uuid.uuid4()
    ghost = make_payment(user).voided(by=str(user), at=NOW)

    assert repository.replace_active(ghost) is False
    assert repository.get(user, ghost.submission.payment_id) is None


def test_list_month_is_newest_first_in_the_customers_month_and_pages_through_all(
    repository: DynamoDBPaymentRepository,
) -> None:
    user = uuid.uuid4()
    base = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    in_november = [
        make_payment(user, timestamp=(base + timedelta(days=day)).isoformat()) for day in range(7)
    ]
    late_evening = make_payment(user, timestamp="2026-11-30T23:30:00-05:00")  # Dec 1 in UTC
    october = make_payment(user, timestamp="2026-10-31T12:00:00Z")
    for payment in [*in_november, late_evening, october]:
        repository.insert(payment)

    seen: list[Payment] = []
    start = None
    while True:
        page = repository.list_month(user, Month(2026, 11), 3, start)
        seen.extend(page.payments)
        if page.next_key is None:
            break
        start = page.next_key

    expected = sorted(
        [*in_november, late_evening],
        key=lambda p: p.submission.timestamp.utc_instant(),
        reverse=True,
    )
    assert [p.submission.payment_id for p in seen] == [p.submission.payment_id for p in expected]


def test_an_unreachable_table_is_storage_unavailable_not_a_crash() -> None:
    client = boto3.client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",  # discard port: nothing listens
        config=CLIENT_CONFIG,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    repository = DynamoDBPaymentRepository(client, TABLE_NAME)

    with pytest.raises(StorageUnavailable):
        repository.insert(make_payment(uuid.uuid4()))
