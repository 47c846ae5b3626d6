"""Issue 13: the customers' corrections on DynamoDB Local — kept and read back exactly, counted
against the limit in the customer item, fenced and deleted by an erasure, and read by the monthly
build as one user-sorted stream per shard."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from payments_tracker.adapters.dynamodb import corrections as corrections_module
from payments_tracker.adapters.dynamodb.corrections import DynamoDBCorrections
from payments_tracker.adapters.dynamodb.erasure import DynamoDBCustomerData
from payments_tracker.adapters.dynamodb.reports import DynamoDBShardPayments
from payments_tracker.domain.corrections import CORRECTION_LIMIT, Correction
from payments_tracker.domain.errors import CorrectionLimitReached
from payments_tracker.domain.sharding import SHARD_COUNT, shard_of
from payments_tracker.service.erasure import erase_customer
from payments_tracker.service.ports import CustomerErased
from support.report_payments import users_in_shard
from support.report_tables import fresh_table, sort_keys

if TYPE_CHECKING:
    from collections.abc import Iterator
    from uuid import UUID

    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def table(dynamodb_endpoint: str) -> Iterator[tuple[DynamoDBClient, str]]:
    with fresh_table(dynamodb_endpoint, "corrections") as created:
        yield created


def commitment() -> UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, uuid.uuid4().hex)


def customer_item(client: DynamoDBClient, name: str, user: UUID) -> dict[str, object]:
    item = client.get_item(
        TableName=name,
        Key={"PK": {"S": f"USER#{user}"}, "SK": {"S": "CUSTOMER"}},
        ConsistentRead=True,
    ).get("Item")
    assert item is not None
    return dict(item)


def test_corrections_are_read_back_exactly_oldest_first_and_only_the_owners(
    table: tuple[DynamoDBClient, str],
) -> None:
    client, name = table
    store = DynamoDBCorrections(client, name)
    alice, bob = uuid.uuid4(), uuid.uuid4()
    gym, rent, landlord = commitment(), commitment(), commitment()
    recorded = [
        Correction(alice, rent, AT, into=landlord),
        Correction(alice, gym, AT + timedelta(microseconds=1), name="Gym — Ünïcode ✓"),
        Correction(alice, gym, AT + timedelta(days=3), excluded=True),
        Correction(alice, gym, AT + timedelta(days=4), name="Gym", excluded=False),
    ]
    for correction in reversed(recorded):  # the order recorded is not the order read
        store.record(correction)
    store.record(Correction(bob, gym, AT, name="Bob's"))

    assert store.of_user(alice) == recorded
    assert store.of_user(bob) == [Correction(bob, gym, AT, name="Bob's")]
    assert store.of_user(uuid.uuid4()) == []
    assert customer_item(client, name, alice)["corrections"] == {"N": "4"}
    assert customer_item(client, name, bob)["corrections"] == {"N": "1"}
    item = client.get_item(
        TableName=name,
        Key={
            "PK": {"S": f"USER#{alice}"},
            "SK": {"S": f"CORRECTION#2026-11-20T09:30:15.123456Z#{rent}"},
        },
    )["Item"]
    assert item["byMonthPK"] == {"S": f"CORRECTIONS#{shard_of(alice):02d}"}
    assert item["byMonthSK"] == {"S": f"{alice}#2026-11-20T09:30:15.123456Z#{rent}"}
    assert {"name", "excluded"}.isdisjoint(item)  # only the fields it changed
    assert item["into"] == {"S": str(landlord)}


def test_two_corrections_dated_alike_are_both_kept_and_a_merge_keeps_both_amounts(
    table: tuple[DynamoDBClient, str],
) -> None:
    # Two requests at once read the same latest correction and date theirs alike: the second
    # writer finds the key taken and takes the next microsecond; nothing is overwritten.
    client, name = table
    store = DynamoDBCorrections(client, name)
    alice, gym, rent = uuid.uuid4(), commitment(), commitment()
    first = Correction(alice, gym, AT, name="Gym")
    second = Correction(alice, gym, AT, excluded=True)
    merge = Correction(
        alice, rent, AT, into=gym, amount=Decimal("950.00"), into_amount=Decimal("45.50")
    )
    for correction in (first, second, merge):
        store.record(correction)

    later = AT + timedelta(microseconds=1)
    read = store.of_user(alice)
    # Oldest first; alike instants in the order of their commitment ids' text (the sort key).
    expected = sorted(
        [first, merge, replace(second, at=later)], key=lambda c: (c.at, str(c.commitment_id))
    )
    assert read == expected
    assert customer_item(client, name, alice)["corrections"] == {"N": "3"}


def test_the_limit_is_counted_in_the_customer_item_and_the_one_past_it_is_refused(
    table: tuple[DynamoDBClient, str],
) -> None:
    client, name = table
    store = DynamoDBCorrections(client, name)
    user, gym = uuid.uuid4(), commitment()
    client.update_item(  # as if 499 were recorded already
        TableName=name,
        Key={"PK": {"S": f"USER#{user}"}, "SK": {"S": "CUSTOMER"}},
        UpdateExpression="SET #count = :count",
        ExpressionAttributeNames={"#count": "corrections"},
        ExpressionAttributeValues={":count": {"N": str(CORRECTION_LIMIT - 1)}},
    )
    last = Correction(user, gym, AT, name="The 500th")

    store.record(last)
    with pytest.raises(CorrectionLimitReached) as refused:
        store.record(Correction(user, gym, AT + timedelta(seconds=1), name="The 501st"))

    assert refused.value.limit == CORRECTION_LIMIT == 500
    assert store.of_user(user) == [last]  # nothing of the refused one was written
    assert customer_item(client, name, user)["corrections"] == {"N": "500"}
    another = uuid.uuid4()  # the limit is each customer's own
    store.record(Correction(another, gym, AT, excluded=True))
    assert len(store.of_user(another)) == 1


def test_an_erased_customer_cannot_record_and_the_erasure_deletes_their_corrections(
    table: tuple[DynamoDBClient, str],
) -> None:
    client, name = table
    store = DynamoDBCorrections(client, name)
    user, neighbour = uuid.uuid4(), uuid.uuid4()
    gym = commitment()
    store.record(Correction(user, gym, AT, name="Gym"))
    store.record(Correction(user, gym, AT + timedelta(minutes=1), excluded=True))
    store.record(Correction(neighbour, gym, AT, name="Kept"))

    receipt = erase_customer(
        DynamoDBCustomerData(client, name), None, str(user), "test", lambda: datetime.now(UTC)
    )

    assert receipt.erased.other == 2  # the two corrections
    assert sort_keys(client, name, user) == ["CUSTOMER"]  # the fence alone
    assert store.of_user(user) == []
    with pytest.raises(CustomerErased):
        store.record(Correction(user, gym, AT + timedelta(days=1), name="After"))
    assert store.of_user(user) == []
    shard = DynamoDBShardPayments(client, name)
    assert all(c.user_id != user for s in range(SHARD_COUNT) for c in shard.corrections_of(s))
    assert store.of_user(neighbour) == [Correction(neighbour, gym, AT, name="Kept")]


def test_a_shards_corrections_come_in_user_id_text_order_then_time(
    table: tuple[DynamoDBClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, name = table
    store = DynamoDBCorrections(client, name)
    users = users_in_shard(3, 5)  # sorted by their text
    elsewhere = next(u for u in iter(uuid.uuid4, None) if shard_of(u) != 5)
    gym, rent = commitment(), commitment()
    expected: list[Correction] = []
    for index, user in enumerate(users):
        first = Correction(user, gym, AT + timedelta(hours=index), name=f"Gym {index}")
        same_time = Correction(user, rent, AT + timedelta(hours=index), excluded=True)
        later = Correction(user, gym, AT + timedelta(days=1, hours=-index), excluded=True)
        expected += [*sorted([first, same_time], key=lambda c: str(c.commitment_id)), later]
    for correction in reversed(expected):  # recorded newest user first, latest first
        store.record(correction)
    store.record(Correction(elsewhere, gym, AT, name="Elsewhere"))
    monkeypatch.setattr(corrections_module, "QUERY_PAGE_SIZE", 2)  # several pages

    stream = list(DynamoDBShardPayments(client, name).corrections_of(5))

    assert stream == expected
    assert [c.user_id for c in stream] == sorted((c.user_id for c in stream), key=str)
    assert list(DynamoDBShardPayments(client, name).corrections_of(shard_of(elsewhere))) == [
        Correction(elsewhere, gym, AT, name="Elsewhere")
    ]


def test_a_correction_sent_again_after_its_answer_was_lost_is_kept_once(
    table: tuple[DynamoDBClient, str],
) -> None:
    # The first write committed but its answer never came back; the same correction is written
    # again: the key is taken by exactly this item, so nothing more is written or counted.
    client, name = table
    store = DynamoDBCorrections(client, name)
    alice, gym = uuid.uuid4(), commitment()
    correction = Correction(alice, gym, AT, excluded=True, amount=Decimal("19.99"))

    store.record(correction)
    store.record(correction)

    assert store.of_user(alice) == [correction]
    assert customer_item(client, name, alice)["corrections"] == {"N": "1"}
