"""An erased customer stays erased (DynamoDB Local): no write of theirs commits after the fence,
a build running during the erasure writes nothing of theirs back, and a handover refuses files
built before it."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

import pytest

from payments_tracker.adapters.dynamodb.consent import DynamoDBConsentRepository
from payments_tracker.adapters.dynamodb.erasure import DynamoDBCustomerData
from payments_tracker.adapters.dynamodb.report_documents import DynamoDBReportDocuments
from payments_tracker.adapters.dynamodb.reports import (
    DynamoDBShardPayments,
)
from payments_tracker.adapters.dynamodb.repository import DynamoDBPaymentRepository
from payments_tracker.domain.consent import ConsentChange
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from payments_tracker.domain.report_run import ErasedSinceBuilt
from payments_tracker.domain.sharding import SHARD_COUNT, shard_of
from payments_tracker.service.erasure import erase_customer
from payments_tracker.service.ports import CustomerErased
from payments_tracker.service.report_ports import ReportPorts
from payments_tracker.service.reports import (
    build_shard,
    hand_over,
    start_or_join_run,
    write_manifest,
)
from support.report_payments import paid
from support.report_tables import fresh_table, ports_of, sort_keys

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

MONTH = Month(2026, 10)
BUILT_AT = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)


@pytest.fixture
def table(dynamodb_endpoint: str) -> Iterator[tuple[DynamoDBClient, str]]:
    with fresh_table(dynamodb_endpoint, "erasure") as created:
        yield created


def customer_with_history(client: DynamoDBClient, name: str, user: UUID) -> None:
    repository = DynamoDBPaymentRepository(client, name)
    for month in ("2026-08", "2026-09", "2026-10"):
        assert repository.insert(paid(user, "Rent", f"{month}-01T08:00:00Z")) is None
    consent = ConsentChange(True, "2026-10", BUILT_AT - timedelta(days=40))
    assert DynamoDBConsentRepository(client, name).record(user, consent, None)


def exported_users(folder: Path) -> set[str]:
    users = set()
    for part in folder.glob("part-*.jsonl.gz"):
        for line in gzip.decompress(part.read_bytes()).decode("utf-8").splitlines():
            users.add(json.loads(line)["userId"])
    return users


def erase(client: DynamoDBClient, name: str, user: UUID) -> None:
    erase_customer(
        DynamoDBCustomerData(client, name), None, str(user), "test", lambda: datetime.now(UTC)
    )


def neighbour_of(user: UUID) -> UUID:
    while True:
        candidate = uuid.uuid4()
        if shard_of(candidate) == shard_of(user):
            return candidate


def build(ports: ReportPorts) -> None:
    run = start_or_join_run(ports.runs, str(MONTH), BUILT_AT)
    for shard in range(SHARD_COUNT):
        build_shard(ports, run, shard)
    write_manifest(ports, str(MONTH), BUILT_AT)


def test_after_the_fence_no_write_of_the_customer_commits(
    table: tuple[DynamoDBClient, str],
) -> None:
    client, name = table
    user = uuid.uuid4()
    customer_with_history(client, name, user)
    repository = DynamoDBPaymentRepository(client, name)
    stored = repository.list_month(user, MONTH, 10, None).payments[0]
    consents = DynamoDBConsentRepository(client, name)
    current = consents.history(user, 1)[0]

    erase(client, name, user)

    with pytest.raises(CustomerErased):
        repository.insert(paid(user, "Gym", "2026-10-20T08:00:00Z"))
    with pytest.raises(CustomerErased):
        repository.replace_active(stored.voided(by=str(user), at=BUILT_AT))
    with pytest.raises(CustomerErased):
        consents.record(user, ConsentChange(False, None, BUILT_AT), current)
    assert sort_keys(client, name, user) == ["CUSTOMER"]  # the fence alone


def test_a_build_running_during_an_erasure_writes_nothing_of_the_customer_back(
    table: tuple[DynamoDBClient, str], tmp_path: Path
) -> None:
    client, name = table
    erased = uuid.uuid4()
    neighbour = neighbour_of(erased)
    for user in (erased, neighbour):
        customer_with_history(client, name, user)
    ports = ports_of(client, name, tmp_path)

    class ErasedWhileRead(DynamoDBShardPayments):
        """The erasure runs once the shard has read the customer's payments."""

        def payments_of(self, month: Month, shard: int) -> Iterator[Payment]:
            yield from super().payments_of(month, shard)
            if month == MONTH:
                erase(client, name, erased)

    racing = ReportPorts(
        ErasedWhileRead(client, name),
        ports.reports,
        ports.consent,
        ports.runs,
        ports.exports,
        ports.erasures,
    )
    run = start_or_join_run(ports.runs, str(MONTH), BUILT_AT)

    outcome = build_shard(racing, run, shard_of(erased))

    assert outcome.erased_skipped == 1
    assert outcome.users == 1
    assert sort_keys(client, name, erased) == ["CUSTOMER"]
    documents = DynamoDBReportDocuments(client, name)
    assert documents.month_report(erased, MONTH) is None
    assert documents.month_report(neighbour, MONTH) is not None
    assert exported_users(tmp_path / str(MONTH)) == {str(neighbour)}


def test_a_handover_refuses_files_built_before_an_erasure_until_the_month_is_rebuilt(
    table: tuple[DynamoDBClient, str], tmp_path: Path
) -> None:
    client, name = table
    erased, kept = uuid.uuid4(), uuid.uuid4()
    for user in (erased, kept):
        customer_with_history(client, name, user)
    ports = ports_of(client, name, tmp_path)
    build(ports)
    assert exported_users(tmp_path / str(MONTH)) == {str(erased), str(kept)}

    erase(client, name, erased)

    with pytest.raises(ErasedSinceBuilt):
        hand_over(ports.runs, ports.erasures, str(MONTH), BUILT_AT + timedelta(days=1))
    build(ports)  # the same run again: the erased customer is gone from every file
    assert exported_users(tmp_path / str(MONTH)) == {str(kept)}
    handed = hand_over(ports.runs, ports.erasures, str(MONTH), BUILT_AT + timedelta(days=1))
    assert handed.handed_over_at is not None


def test_a_correction_built_before_an_erasure_is_not_published_until_it_is_rebuilt(
    table: tuple[DynamoDBClient, str], tmp_path: Path
) -> None:
    client, name = table
    erased, kept = uuid.uuid4(), uuid.uuid4()
    for user in (erased, kept):
        customer_with_history(client, name, user)
    ports = ports_of(client, name, tmp_path)
    build(ports)
    hand_over(ports.runs, ports.erasures, str(MONTH), BUILT_AT + timedelta(days=1))
    later = BUILT_AT + timedelta(days=2)
    correction = start_or_join_run(ports.runs, str(MONTH), later)
    for shard in range(SHARD_COUNT):
        build_shard(ports, correction, shard)

    erase(client, name, erased)

    with pytest.raises(ErasedSinceBuilt):
        write_manifest(ports, str(MONTH), later)
    folder = tmp_path / correction.export_folder
    assert not (folder / "manifest.json").exists()
    again = start_or_join_run(ports.runs, str(MONTH), later)
    assert again.run_id == correction.run_id  # the unfinished correction is built again
    for shard in range(SHARD_COUNT):
        build_shard(ports, again, shard)
    write_manifest(ports, str(MONTH), later)
    assert exported_users(folder) == {str(kept)}


def test_a_handover_refuses_while_an_erasure_is_still_running(
    table: tuple[DynamoDBClient, str], tmp_path: Path
) -> None:
    client, name = table
    customer_with_history(client, name, uuid.uuid4())
    ports = ports_of(client, name, tmp_path)
    build(ports)
    running = DynamoDBCustomerData(client, name)
    someone = uuid.uuid4()
    running.fence(someone, datetime.now(UTC) - timedelta(days=30))  # started long ago, not done

    with pytest.raises(ErasedSinceBuilt):
        hand_over(ports.runs, ports.erasures, str(MONTH), BUILT_AT + timedelta(days=1))

    running.record_erasure(
        someone, datetime.now(UTC), "test", running.delete_customer_items(someone), None
    )
    build(ports)
    assert hand_over(ports.runs, ports.erasures, str(MONTH), BUILT_AT + timedelta(days=1))
