"""The monthly report against DynamoDB Local: several users and months, re-runs, a failed shard,
handover and a correction — the whole engine with the real table, local export files."""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from uuid import UUID

import pytest

from payments_tracker.adapters.dynamodb.consent import DynamoDBConsentRepository
from payments_tracker.adapters.dynamodb.repository import DynamoDBPaymentRepository
from payments_tracker.adapters.exports.local import LocalExportSink
from payments_tracker.domain.consent import ConsentChange
from payments_tracker.domain.money import Money
from payments_tracker.domain.payment import Payment, Submission
from payments_tracker.domain.report_run import RunIncomplete, RunKind, ShardState
from payments_tracker.domain.sharding import SHARD_COUNT, shard_of
from payments_tracker.domain.timestamps import Timestamp, parse_timestamp
from payments_tracker.service.report_ports import ReportPorts
from payments_tracker.service.reports import (
    build_shard,
    hand_over,
    start_or_join_run,
    write_manifest,
)
from support.report_tables import fresh_table, ports_of

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

MONTH = "2026-10"
BUILT_AT = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)


@pytest.fixture
def table(dynamodb_endpoint: str) -> Iterator[tuple[DynamoDBClient, str]]:
    with fresh_table(dynamodb_endpoint, "reports") as created:
        yield created


def paid(user: UUID, description: str, timestamp: str, amount: str = "9.99") -> Payment:
    moment = parse_timestamp(timestamp)
    submission = Submission(
        uuid.uuid4(),
        user,
        Timestamp(timestamp, moment),
        description,
        Money.of(Decimal(amount), "GBP"),
    )
    return Payment(submission, received_at=moment.astimezone(UTC) + timedelta(minutes=1))


def monthly(user: UUID, description: str, months: list[str]) -> list[Payment]:
    return [paid(user, description, f"{month}-15T12:00:00+01:00") for month in months]


def rows_in(folder: Path) -> list[dict[str, Any]]:
    rows = []
    for part in sorted(folder.glob("part-*.jsonl.gz")):
        rows.extend(json.loads(line) for line in gzip.decompress(part.read_bytes()).splitlines())
    return rows


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def build_month(ports: ReportPorts, now: datetime) -> None:
    run = start_or_join_run(ports.runs, MONTH, now)
    for shard in range(SHARD_COUNT):
        build_shard(ports, run, shard)
    write_manifest(ports, MONTH, now)


def report_document(client: DynamoDBClient, name: str, user: UUID) -> dict[str, Any] | None:
    item = client.get_item(
        TableName=name, Key={"PK": {"S": f"USER#{user}"}, "SK": {"S": f"REPORT#{MONTH}"}}
    ).get("Item")
    return json.loads(item["document"]["S"]) if item else None


class Scenario:
    """Four customers over four months, stored through the real repository."""

    def __init__(self, client: DynamoDBClient, name: str) -> None:
        self.alice, self.bob, self.carol, self.dave = (uuid.uuid4() for _ in range(4))
        self.repository = DynamoDBPaymentRepository(client, name)
        consent = DynamoDBConsentRepository(client, name)
        # Due on the 24th: the 31st at 23:30-05:00 is the 31st for the customer, 7 days late and
        # within the tolerance; read in UTC (1 November) it would be 8 days late and count for
        # nothing.
        gym_edge = paid(self.alice, "Gym", "2026-10-31T23:30:00-05:00", "30.00")  # Nov 1 UTC
        self.alice_gym = gym_edge
        spotify = monthly(self.dave, "Spotify", ["2026-08", "2026-09", "2026-10"])
        payments = [
            *monthly(self.alice, "Netflix.com", ["2026-08", "2026-09"]),
            paid(self.alice, "NETFLIX.COM 8844", "2026-10-13T09:00:00Z", "10.99"),
            paid(self.alice, "Gym", "2026-08-24T12:00:00+01:00", "30.00"),
            paid(self.alice, "Gym", "2026-09-24T12:00:00+01:00", "30.00"),
            gym_edge,
            *monthly(self.bob, "Rent", ["2026-07", "2026-08", "2026-09"]),  # lapsed
            *monthly(self.carol, "Phone", ["2026-08", "2026-09", "2026-10"]),  # no consent
            *spotify,
        ]
        for payment in payments:
            assert self.repository.insert(payment) is None
        voided = spotify[-1].voided(by=str(self.dave), at=BUILT_AT - timedelta(days=2))
        assert self.repository.replace_active(voided)
        shares = ConsentChange(True, "2026-09", BUILT_AT - timedelta(days=40))
        for user in (self.alice, self.bob, self.dave):
            assert consent.record(user, shares, None)


def test_a_month_builds_reports_and_the_export_of_consenting_kept_established_commitments(
    table: tuple[DynamoDBClient, str], tmp_path: Path
) -> None:
    client, name = table
    people = Scenario(client, name)
    ports = ports_of(client, name, tmp_path)

    build_month(ports, BUILT_AT)

    rows = rows_in(tmp_path / MONTH)
    assert {(r["userId"], r["name"], r["amount"], r["paidAt"]) for r in rows} == {
        (str(people.alice), "Gym", "30.00", "2026-10-31T23:30:00-05:00"),  # a late-night edge
        (str(people.alice), "NETFLIX.COM 8844", "10.99", "2026-10-13T09:00:00Z"),
    }
    order = [(r["userId"], r["commitmentId"]) for r in rows]
    assert order == sorted(order)
    assert {r["history24"][:4] for r in rows} == {"111-"}
    bob = report_document(client, name, people.bob)
    assert bob is not None
    assert [c["status"] for c in bob["commitments"]] == ["lapsed"]
    dave = report_document(client, name, people.dave)
    assert dave is not None
    assert [(c["status"], c["amountsPaid"]) for c in dave["commitments"]] == [("lapsed", [])]
    carol = report_document(client, name, people.carol)
    assert carol is not None
    assert carol["commitments"][0]["status"] == "kept"
    manifest = json.loads((tmp_path / MONTH / "manifest.json").read_text())
    assert manifest["rowCount"] == 2
    assert manifest["cutoff"] == "2026-11-05T03:00:00.000000Z"
    for part in manifest["parts"]:
        body = (tmp_path / MONTH / part["name"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == part["sha256"]


def test_a_rerun_keeps_the_cutoff_and_is_byte_identical(
    table: tuple[DynamoDBClient, str], tmp_path: Path
) -> None:
    client, name = table
    people = Scenario(client, name)
    ports = ports_of(client, name, tmp_path)
    build_month(ports, BUILT_AT)
    first = files_of(tmp_path / MONTH)
    alice_report = report_document(client, name, people.alice)
    # Received after the cut-off: not seen by a re-run that keeps it.
    late = paid(people.alice, "Late", "2026-10-30T10:00:00Z")
    people.repository.insert(replace(late, received_at=BUILT_AT + timedelta(hours=1)))

    build_month(ports, BUILT_AT + timedelta(days=2))

    assert files_of(tmp_path / MONTH) == first
    assert report_document(client, name, people.alice) == alice_report


def test_a_failed_shard_is_recorded_and_rerun_alone(
    table: tuple[DynamoDBClient, str], tmp_path: Path
) -> None:
    client, name = table
    people = Scenario(client, name)
    ports = ports_of(client, name, tmp_path)
    failing = shard_of(people.alice)

    class FaultySink(LocalExportSink):
        def put(self, key: str, body: BinaryIO, content_type: str) -> None:
            if key.endswith(f"part-{failing:02d}.jsonl.gz"):
                raise ConnectionError("injected fault")
            super().put(key, body, content_type)

    faulty = replace(ports, exports=FaultySink(tmp_path))
    run = start_or_join_run(ports.runs, MONTH, BUILT_AT)
    for shard in range(SHARD_COUNT):
        if shard == failing:
            with pytest.raises(ConnectionError):
                build_shard(faulty, run, shard)
        else:
            build_shard(faulty, run, shard)
    outcomes = {o.shard: o for o in ports.runs.shard_outcomes(run)}
    assert outcomes[failing].state is ShardState.FAILED
    assert outcomes[failing].error == "ConnectionError"
    with pytest.raises(RunIncomplete):
        write_manifest(ports, MONTH, BUILT_AT)

    retried = start_or_join_run(ports.runs, MONTH, BUILT_AT + timedelta(minutes=10))
    assert retried.run_id == run.run_id
    build_shard(ports, retried, failing)
    manifest = write_manifest(ports, MONTH, BUILT_AT + timedelta(minutes=10))

    assert sum(part.rows for part in manifest.parts) == 2
    assert len(rows_in(tmp_path / MONTH)) == 2


def test_after_handover_a_rerun_writes_a_correction_beside_the_untouched_original(
    table: tuple[DynamoDBClient, str], tmp_path: Path
) -> None:
    client, name = table
    people = Scenario(client, name)
    ports = ports_of(client, name, tmp_path)
    build_month(ports, BUILT_AT)
    hand_over(ports.runs, ports.erasures, MONTH, BUILT_AT + timedelta(days=1))
    originals = files_of(tmp_path / MONTH)
    # After the hand-over Alice voids the late-night gym payment and a late payment arrives.
    voided_at = BUILT_AT + timedelta(days=2)
    assert people.repository.replace_active(people.alice_gym.voided(str(people.alice), voided_at))
    late = paid(people.carol, "Phone", "2026-10-28T10:00:00Z")
    people.repository.insert(replace(late, received_at=voided_at))

    corrected_at = BUILT_AT + timedelta(days=3)
    build_month(ports, corrected_at)

    assert files_of(tmp_path / MONTH) == originals
    run = ports.runs.current_run(start_or_join_run(ports.runs, MONTH, corrected_at).month)
    assert run is not None
    corrections = list((tmp_path / MONTH / "corrections").iterdir())
    assert len(corrections) == 1
    manifest = json.loads((corrections[0] / "manifest.json").read_text())
    assert manifest["kind"] == RunKind.CORRECTION.value
    assert manifest["cutoff"] == "2026-11-08T03:00:00.000000Z"
    assert manifest["correctsRunId"] == json.loads(originals["manifest.json"])["runId"]
    assert [r["name"] for r in rows_in(corrections[0])] == ["NETFLIX.COM 8844"]
    alice = report_document(client, name, people.alice)
    assert alice is not None
    gym = next(c for c in alice["commitments"] if c["name"] == "Gym")
    assert gym["status"] == "lapsed"
