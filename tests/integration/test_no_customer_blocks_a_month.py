"""One customer cannot stop a month: the monthly limit, reports past DynamoDB's item size, a
customer whose report fails, and a handed-over file never written again (DynamoDB Local)."""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pytest

from payments_tracker.adapters.dynamodb.consent import DynamoDBConsentRepository
from payments_tracker.adapters.dynamodb.keys import month_shard_key
from payments_tracker.adapters.dynamodb.report_documents import DynamoDBReportDocuments
from payments_tracker.adapters.dynamodb.reports import (
    DynamoDBReportRuns,
    DynamoDBReportStore,
)
from payments_tracker.adapters.dynamodb.repository import DynamoDBPaymentRepository, to_item
from payments_tracker.adapters.dynamodb.table import BY_MONTH
from payments_tracker.domain.consent import ConsentChange
from payments_tracker.domain.errors import MonthlyLimitReached
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import MONTHLY_PAYMENT_LIMIT, Payment
from payments_tracker.domain.report import build_user_report, window_of
from payments_tracker.domain.report_run import Run, ShardOutcome, ShardState
from payments_tracker.domain.sharding import SHARD_COUNT, shard_of
from payments_tracker.service import reports as report_engine
from payments_tracker.service.report_ports import ReportPorts, SavedReports
from payments_tracker.service.reports import (
    MonthHandedOver,
    build_shard,
    hand_over,
    start_or_join_run,
    write_manifest,
)
from support.report_payments import paid
from support.report_tables import fresh_table, ports_of

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

MONTH = Month(2026, 10)
BUILT_AT = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)
ITEM_LIMIT = 400 * 1024
"""DynamoDB's item size limit: the report of the flooding customer is far past it."""


@pytest.fixture
def table(dynamodb_endpoint: str) -> Iterator[tuple[DynamoDBClient, str]]:
    with fresh_table(dynamodb_endpoint, "limits") as created:
        yield created


def widest_descriptions(count: int, seed: int) -> list[str]:
    """Distinct 140-character descriptions of 4-byte characters (CJK Extension B): the largest
    names a description may hold, one commitment each."""
    chooser = random.Random(seed)  # noqa: S311 - test data, not a secret
    return [
        "".join(chr(chooser.randrange(0x20000, 0x2A6DF)) for _ in range(140)) for _ in range(count)
    ]


def load(client: DynamoDBClient, name: str, payments: list[Payment]) -> None:
    """Set-up only: payments straight into the table, 25 a call (the API path is tested apart)."""
    for offset in range(0, len(payments), 25):
        batch: list[Any] = [
            {"PutRequest": {"Item": to_item(p)}} for p in payments[offset : offset + 25]
        ]
        for _ in range(20):  # DynamoDB Local too may leave some unprocessed under load
            unprocessed = client.batch_write_item(RequestItems={name: batch})["UnprocessedItems"]
            batch = list(unprocessed.get(name, []))
            if not batch:
                break
            time.sleep(0.1)
        assert not batch, "set-up could not write every payment"


def wait_for_the_index(
    client: DynamoDBClient, name: str, month: Month, user: UUID, expected: int
) -> None:
    """Until the byMonth index holds all of `user`'s payments: DynamoDB Local updates a global
    index after it answers the write (as DynamoDB does), and a build right after a bulk load
    would read a part of them."""
    deadline = time.monotonic() + 60
    while True:
        found = 0
        for window_month in window_of(month):
            found += client.query(
                TableName=name,
                IndexName=BY_MONTH.name,
                KeyConditionExpression="#pk = :pk AND begins_with(#sk, :user)",
                ExpressionAttributeNames={"#pk": BY_MONTH.partition_key, "#sk": BY_MONTH.sort_key},
                ExpressionAttributeValues={
                    ":pk": {"S": month_shard_key(window_month, shard_of(user))},
                    ":user": {"S": f"{user}#"},
                },
                Select="COUNT",
            )["Count"]
        if found == expected:
            return
        assert time.monotonic() < deadline, f"the index holds {found} of {expected} payments"
        time.sleep(0.5)


def build(ports: ReportPorts, now: datetime, month: Month = MONTH) -> None:
    run = start_or_join_run(ports.runs, str(month), now)
    for shard in range(SHARD_COUNT):
        build_shard(ports, run, shard)
    write_manifest(ports, str(month), now)


def neighbour_of(user: UUID) -> UUID:
    while True:
        candidate = uuid.uuid4()
        if shard_of(candidate) == shard_of(user):
            return candidate


def test_concurrent_submissions_never_pass_the_monthly_limit(
    table: tuple[DynamoDBClient, str],
) -> None:
    client, name = table
    repository = DynamoDBPaymentRepository(client, name)
    user = uuid.uuid4()
    attempts = MONTHLY_PAYMENT_LIMIT + 30
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def submit(index: int) -> None:
        payment = paid(user, f"Flood {index}", f"2026-10-{1 + index % 28:02d}T10:00:00Z")
        try:
            result = "stored" if repository.insert(payment) is None else "taken"
        except MonthlyLimitReached:
            result = "limit"
        with lock:
            outcomes[result] += 1

    threads = [
        threading.Thread(target=lambda start=start: [submit(i) for i in range(start, attempts, 8)])
        for start in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == {"stored": MONTHLY_PAYMENT_LIMIT, "limit": 30}
    stored = repository.list_month(user, MONTH, 100, None)
    assert len(stored.payments) == MONTHLY_PAYMENT_LIMIT
    # Another month of the same customer has its own slots; a replay at the limit stays a replay.
    assert repository.insert(paid(user, "Gym", "2026-09-15T10:00:00Z")) is None
    replayed = stored.payments[0]
    assert repository.insert(replayed) == replayed


def test_a_customer_at_the_limit_in_every_month_still_gets_a_report_and_the_month_completes(
    table: tuple[DynamoDBClient, str], tmp_path: Path
) -> None:
    client, name = table
    # Last month, built now: the oldest month of a fixed past window would already be past its
    # retention (27 months), and DynamoDB Local's TTL sweeper deletes such payments meanwhile.
    now = datetime.now(UTC)
    month = Month.of(now).plus(-1)
    flooder = uuid.uuid4()
    neighbour = neighbour_of(flooder)
    months = window_of(month)
    names = widest_descriptions(len(months) * MONTHLY_PAYMENT_LIMIT, seed=11)
    flood = [
        paid(flooder, names[m * MONTHLY_PAYMENT_LIMIT + i], f"{month}-{1 + i % 28:02d}T09:00:00Z")
        for m, month in enumerate(months)
        for i in range(MONTHLY_PAYMENT_LIMIT)
    ]
    ordinary = [paid(neighbour, "Gym", f"{month}-15T09:00:00Z") for month in months[-3:]]
    load(client, name, [*flood, *ordinary])
    wait_for_the_index(client, name, month, flooder, len(flood))
    wait_for_the_index(client, name, month, neighbour, len(ordinary))
    consents = DynamoDBConsentRepository(client, name)
    for user in (flooder, neighbour):
        assert consents.record(user, ConsentChange(True, "2026-10", now - timedelta(days=60)), None)
    ports = ports_of(client, name, tmp_path)

    build(ports, now, month)

    documents = DynamoDBReportDocuments(client, name)
    text = documents.month_report(flooder, month)
    assert text is not None
    assert len(text.encode("utf-8")) > 3 * ITEM_LIMIT  # would not fit one item, by far
    report = json.loads(text)
    assert len(report["commitments"]) == len(flood)
    item = client.get_item(
        TableName=name,
        Key={"PK": {"S": f"USER#{flooder}"}, "SK": {"S": f"REPORT#{month}"}},
        ConsistentRead=True,
    )["Item"]
    assert "document" not in item
    assert int(item["documentChunks"]["N"]) >= 2
    neighbours = documents.month_report(neighbour, month)
    assert neighbours is not None
    assert json.loads(neighbours)["commitments"][0]["name"] == "Gym"
    manifest = json.loads((tmp_path / str(month) / "manifest.json").read_text())
    assert manifest["failedCustomers"] == 0
    assert manifest["rowCount"] == 1 + MONTHLY_PAYMENT_LIMIT * 0  # the flood is not established
    assert hand_over(ports.runs, ports.erasures, str(month), now)


def test_a_customer_whose_report_fails_is_skipped_listed_and_the_month_handed_over(
    table: tuple[DynamoDBClient, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, name = table
    broken, fine = uuid.uuid4(), uuid.uuid4()
    load(
        client,
        name,
        [
            paid(user, "Rent", f"{month}-01T08:00:00Z")
            for user in (broken, fine)
            for month in ("2026-08", "2026-09", "2026-10")
        ],
    )
    real_build = report_engine.build_user_report

    def failing_for_one(user_id: UUID, *args: Any, **kwargs: Any) -> Any:  # an injected fault
        if user_id == broken:
            raise ValueError("a report that cannot be built")
        return real_build(user_id, *args, **kwargs)

    monkeypatch.setattr(report_engine, "build_user_report", failing_for_one)
    ports = ports_of(client, name, tmp_path)

    build(ports, BUILT_AT)

    run = ports.runs.current_run(MONTH)
    assert run is not None
    outcomes = ports.runs.shard_outcomes(run)
    assert {o.state for o in outcomes} == {ShardState.DONE}
    assert [user for o in outcomes for user in o.failed_users] == [str(broken)]
    manifest = json.loads((tmp_path / str(MONTH) / "manifest.json").read_text())
    assert manifest["failedCustomers"] == 1  # a count: the ids stay in the run records
    assert str(broken) not in json.dumps(manifest)
    documents = DynamoDBReportDocuments(client, name)
    assert documents.month_report(broken, MONTH) is None
    assert documents.month_report(fine, MONTH) is not None
    handed = hand_over(ports.runs, ports.erasures, str(MONTH), BUILT_AT + timedelta(days=1))
    assert handed.handed_over_at is not None


def test_a_shard_still_running_at_the_handover_never_writes_the_handed_over_file(
    table: tuple[DynamoDBClient, str], tmp_path: Path
) -> None:
    client, name = table
    user = uuid.uuid4()
    load(client, name, [paid(user, "Rent", f"{m}-01T08:00:00Z") for m in ("2026-09", "2026-10")])
    ports = ports_of(client, name, tmp_path)
    build(ports, BUILT_AT)
    shard = shard_of(user)
    part = tmp_path / str(MONTH) / f"part-{shard:02d}.jsonl.gz"
    handed_over_bytes = part.read_bytes()
    run = start_or_join_run(ports.runs, str(MONTH), BUILT_AT)  # a late re-run joins the run …

    class HandOverOnceStarted(DynamoDBReportRuns):
        """… passes the start check, and the month is handed over before its upload (the race
        of the finding: the check ran only when the shard started)."""

        def record_shard(self, run: Run, outcome: ShardOutcome) -> None:
            if outcome.state is ShardState.RUNNING:
                hand_over(ports.runs, ports.erasures, str(MONTH), BUILT_AT + timedelta(days=1))
            super().record_shard(run, outcome)

    late = ReportPorts(
        ports.payments,
        ports.reports,
        ports.consent,
        HandOverOnceStarted(client, name),
        ports.exports,
        ports.erasures,
    )
    client.put_item(  # the customer's data changed since, so a rewrite would differ
        TableName=name, Item=to_item(paid(user, "Rent", "2026-10-20T08:00:00Z", "1.00"))
    )

    with pytest.raises(MonthHandedOver):
        build_shard(late, run, shard)

    assert part.read_bytes() == handed_over_bytes
    current = ports.runs.current_run(MONTH)
    assert current is not None
    assert current.handed_over_at is not None


def test_a_stale_large_report_goes_with_all_its_chunks(
    table: tuple[DynamoDBClient, str],
) -> None:
    client, name = table
    user = uuid.uuid4()
    names = widest_descriptions(600, seed=5)  # about 500 KB of JSON: stored in chunks
    payments = [paid(user, text, "2026-10-10T09:00:00Z") for text in names]
    report = build_user_report(user, MONTH, payments, BUILT_AT)
    assert report is not None
    store = DynamoDBReportStore(client, name)

    def report_items() -> list[str]:
        response = client.query(
            TableName=name,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :report)",
            ExpressionAttributeValues={
                ":pk": {"S": f"USER#{user}"},
                ":report": {"S": f"REPORT#{MONTH}"},
            },
            ConsistentRead=True,
        )
        return [item["SK"]["S"] for item in response["Items"]]

    assert store.save_reports([report], "run") == SavedReports()
    assert len(report_items()) >= 2  # the report item and its chunk(s)

    store.delete_report(user, MONTH)

    assert report_items() == []
