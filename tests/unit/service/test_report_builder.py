"""Building a shard, the manifest, re-runs, retries and handover — with in-memory ports."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import weakref
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO
from uuid import UUID

import pytest

from payments_tracker.domain.corrections import Correction
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from payments_tracker.domain.report import UserReport, months_read_for
from payments_tracker.domain.report_run import (
    MonthNotBuildable,
    MonthNotBuilt,
    Run,
    RunIncomplete,
    RunKind,
    ShardState,
)
from payments_tracker.domain.sharding import SHARD_COUNT
from payments_tracker.service.report_ports import ReportPorts, SavedReports
from payments_tracker.service.reports import (
    MonthHandedOver,
    build_shard,
    hand_over,
    start_or_join_run,
    users_of_shard,
    write_manifest,
)
from support.memory_reports import (
    InMemoryConsent,
    InMemoryErasureLog,
    InMemoryExportSink,
    InMemoryReportRuns,
    InMemoryReportStore,
    InMemoryShardPayments,
)
from support.report_payments import CUTOFF, monthly, paid, users_in_shard

NOVEMBER = Month(2026, 11)
NOW = CUTOFF + timedelta(hours=1)
SHARD = 3


def make_ports(payments: list[Payment] | None = None) -> ReportPorts:
    return ReportPorts(
        payments=InMemoryShardPayments(payments or []),
        reports=InMemoryReportStore(),
        consent=InMemoryConsent(),
        runs=InMemoryReportRuns(),
        exports=InMemoryExportSink(),
        erasures=InMemoryErasureLog(),
    )


def rows_of(part: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(part).decode("utf-8").splitlines()]


def build_all(ports: ReportPorts, run: Run) -> None:
    for shard in range(SHARD_COUNT):
        build_shard(ports, run, shard)


@pytest.fixture
def three_users() -> tuple[list[UUID], list[Payment]]:
    alice, bob, carol = users_in_shard(3, SHARD)
    payments = [
        *monthly(alice, "Netflix", ["2026-09", "2026-10", "2026-11"]),
        *monthly(alice, "Gym", ["2026-10", "2026-11"]),
        *monthly(bob, "Rent", ["2026-08", "2026-09", "2026-10"]),  # lapsed in November
        *monthly(carol, "Phone", ["2026-09", "2026-10", "2026-11"]),  # kept, no consent
    ]
    return [alice, bob, carol], payments


def test_a_shard_builds_every_users_report_and_exports_consenting_kept_established_rows(
    three_users: tuple[list[UUID], list[Payment]],
) -> None:
    (alice, bob, carol), payments = three_users
    ports = make_ports(payments)
    consent = ports.consent
    assert isinstance(consent, InMemoryConsent)
    consent.give(alice, CUTOFF - timedelta(days=30))
    consent.give(carol, NOW + timedelta(minutes=1))  # after the cut-off (now): not standing
    run = start_or_join_run(ports.runs, "2026-11", NOW)

    outcome = build_shard(ports, run, SHARD)

    assert outcome.state is ShardState.DONE
    assert (outcome.users, outcome.kept, outcome.lapsed, outcome.rows) == (3, 3, 1, 1)
    reports = ports.reports
    assert isinstance(reports, InMemoryReportStore)
    assert {user for user, _ in reports.reports} == {alice, bob, carol}
    bob_report = reports.document(bob, NOVEMBER)
    assert bob_report is not None
    assert [c["status"] for c in bob_report["commitments"]] == ["lapsed"]  # type: ignore[union-attr]
    exports = ports.exports
    assert isinstance(exports, InMemoryExportSink)
    (row,) = rows_of(exports.objects["2026-11/part-03.jsonl.gz"])
    assert (row["userId"], row["name"], row["source"]) == (
        str(alice),
        "Netflix",
        "customer-asserted",
    )
    assert outcome.sha256 == hashlib.sha256(exports.objects["2026-11/part-03.jsonl.gz"]).hexdigest()


def test_rows_are_sorted_by_user_then_commitment() -> None:
    users = users_in_shard(12, SHARD)
    payments = [
        payment
        for user in users
        for name in ("Gym", "Rent", "Phone")
        for payment in monthly(user, name, ["2026-09", "2026-10", "2026-11"])
    ]
    ports = make_ports(payments)
    consent = ports.consent
    assert isinstance(consent, InMemoryConsent)
    for user in users:
        consent.give(user, CUTOFF - timedelta(days=1))
    run = start_or_join_run(ports.runs, "2026-11", NOW)
    build_shard(ports, run, SHARD)
    exports = ports.exports
    assert isinstance(exports, InMemoryExportSink)
    rows = rows_of(exports.objects[run.part_key(SHARD)])
    order = [(row["userId"], row["commitmentId"]) for row in rows]
    assert len(rows) == 36
    assert order == sorted(order)


def test_a_rerun_with_the_same_cutoff_is_byte_identical_and_overwrites(
    three_users: tuple[list[UUID], list[Payment]],
) -> None:
    (alice, _, _), payments = three_users
    ports = make_ports(payments)
    consent = ports.consent
    assert isinstance(consent, InMemoryConsent)
    consent.give(alice, CUTOFF - timedelta(days=1))
    run = start_or_join_run(ports.runs, "2026-11", NOW)
    build_all(ports, run)
    write_manifest(ports, "2026-11", NOW)
    exports = ports.exports
    assert isinstance(exports, InMemoryExportSink)
    first = dict(exports.objects)
    # A payment received and a void recorded after the cut-off change nothing.
    late = paid(alice, "Late", "2026-11-30T10:00:00Z", received_at=CUTOFF + timedelta(hours=2))
    source = ports.payments
    assert isinstance(source, InMemoryShardPayments)
    source.add(late)

    again = start_or_join_run(ports.runs, "2026-11", NOW + timedelta(days=3))
    build_all(ports, again)
    write_manifest(ports, "2026-11", NOW + timedelta(days=3))

    assert (again.run_id, again.cutoff) == (run.run_id, run.cutoff)
    assert exports.objects == first
    assert len(exports.objects) == SHARD_COUNT + 1


def test_a_user_without_counting_payments_loses_a_stale_report() -> None:
    (alice,) = users_in_shard(1, SHARD)
    gym = paid(alice, "Gym", "2026-11-03T10:00:00Z")
    ports = make_ports([gym])
    reports = ports.reports
    assert isinstance(reports, InMemoryReportStore)
    stale = UserReport(alice, NOVEMBER, CUTOFF, ())
    reports.save_reports([stale], "an-old-run")
    source = ports.payments
    assert isinstance(source, InMemoryShardPayments)
    source.add(gym.voided(by=str(alice), at=CUTOFF - timedelta(days=1)))

    outcome = build_shard(ports, start_or_join_run(ports.runs, "2026-11", NOW), SHARD)

    assert outcome.stale_reports_deleted == 1
    assert reports.reports == {}


def test_a_failed_shard_is_recorded_and_can_be_rerun_alone(
    three_users: tuple[list[UUID], list[Payment]],
) -> None:
    _, payments = three_users
    ports = make_ports(payments)

    class BrokenSink(InMemoryExportSink):
        def put(self, key: str, body: BinaryIO, content_type: str) -> None:  # noqa: ARG002
            raise OSError("disk full")

    broken = ReportPorts(
        ports.payments, ports.reports, ports.consent, ports.runs, BrokenSink(), ports.erasures
    )
    run = start_or_join_run(ports.runs, "2026-11", NOW)
    for shard in range(SHARD_COUNT):
        if shard != SHARD:
            build_shard(ports, run, shard)
    with pytest.raises(OSError, match="disk full"):
        build_shard(broken, run, SHARD)

    (failed,) = [o for o in ports.runs.shard_outcomes(run) if o.shard == SHARD]
    assert (failed.state, failed.error) == (ShardState.FAILED, "OSError")
    with pytest.raises(RunIncomplete) as incomplete:
        write_manifest(ports, "2026-11", NOW)
    assert incomplete.value.shards == [SHARD]

    build_shard(ports, start_or_join_run(ports.runs, "2026-11", NOW), SHARD)
    manifest = write_manifest(ports, "2026-11", NOW)
    assert len(manifest.parts) == SHARD_COUNT


def test_after_handover_a_rerun_writes_a_correction_and_never_touches_the_originals(
    three_users: tuple[list[UUID], list[Payment]],
) -> None:
    (alice, _, _), payments = three_users
    ports = make_ports(payments)
    consent = ports.consent
    assert isinstance(consent, InMemoryConsent)
    consent.give(alice, CUTOFF - timedelta(days=1))
    run = start_or_join_run(ports.runs, "2026-11", CUTOFF)
    build_all(ports, run)
    write_manifest(ports, "2026-11", CUTOFF)
    hand_over(ports.runs, ports.erasures, "2026-11", NOW)
    exports = ports.exports
    assert isinstance(exports, InMemoryExportSink)
    originals = dict(exports.objects)
    exports.writes.clear()
    # Alice voids her November Netflix after the hand-over.
    source = ports.payments
    assert isinstance(source, InMemoryShardPayments)
    (netflix,) = [p for p in payments if p.submission.description == "Netflix"][-1:]
    later = NOW + timedelta(days=2)
    source.add(netflix.voided(by=str(alice), at=later - timedelta(hours=1)))

    correction = start_or_join_run(ports.runs, "2026-11", later)
    build_all(ports, correction)
    manifest = write_manifest(ports, "2026-11", later)

    assert correction.kind is RunKind.CORRECTION
    assert correction.cutoff == later
    assert correction.original_run_id == run.run_id
    assert all(
        key.startswith(f"2026-11/corrections/{correction.run_id}/") for key in exports.writes
    )
    assert {k: v for k, v in exports.objects.items() if k in originals} == originals
    assert manifest.document()["kind"] == "correction"
    assert manifest.document()["correctsRunId"] == run.run_id
    assert sum(part.rows for part in manifest.parts) == 0  # the Netflix row is corrected away
    # The next build after that correction is complete is another correction.
    next_one = start_or_join_run(ports.runs, "2026-11", later + timedelta(days=1))
    assert next_one.run_id != correction.run_id
    with pytest.raises(MonthHandedOver):
        build_shard(ports, run, SHARD)


def test_handover_needs_a_complete_run() -> None:
    ports = make_ports()
    with pytest.raises(MonthNotBuilt):
        hand_over(ports.runs, ports.erasures, "2026-11", NOW)
    run = start_or_join_run(ports.runs, "2026-11", NOW)
    build_all(ports, run)
    with pytest.raises(MonthNotBuilt):
        hand_over(ports.runs, ports.erasures, "2026-11", NOW)
    write_manifest(ports, "2026-11", NOW)
    handed = hand_over(ports.runs, ports.erasures, "2026-11", NOW)
    assert handed.handed_over_at == NOW
    assert (
        hand_over(ports.runs, ports.erasures, "2026-11", NOW + timedelta(days=1)).handed_over_at
        == NOW
    )


def test_shards_starting_together_join_one_run() -> None:
    runs = InMemoryReportRuns()
    first = start_or_join_run(runs, "2026-11", NOW)
    second = start_or_join_run(runs, "2026-11", NOW + timedelta(seconds=2))
    assert second == first
    scheduled = start_or_join_run(InMemoryReportRuns(), "2026-11", NOW, scheduled=True)
    assert scheduled.cutoff == CUTOFF


def test_a_future_or_malformed_month_is_refused() -> None:
    runs = InMemoryReportRuns()
    with pytest.raises(MonthNotBuildable, match="not over everywhere"):
        start_or_join_run(runs, "2026-12", NOW)
    with pytest.raises(MonthNotBuildable, match="YYYY-MM"):
        start_or_join_run(runs, "2026/11", NOW)
    assert runs.runs == {}


class CountedPayments:
    """Payments made on demand, each tracked while alive: the builder's memory, counted."""

    def __init__(self, users: list[UUID], commitments: int) -> None:
        self.users = users
        self.commitments = commitments
        self.alive: weakref.WeakSet[Payment] = weakref.WeakSet()
        self.made = 0

    def payments_of(self, month: Month, shard: int) -> Iterator[Payment]:  # noqa: ARG002
        for user in self.users:
            for number in range(self.commitments):
                payment = paid(user, f"Commitment {number}", f"{month}-15T12:00:00Z")
                self.alive.add(payment)
                self.made += 1
                yield payment

    def corrections_of(self, shard: int) -> Iterator[Correction]:  # noqa: ARG002
        return iter(())


class SamplingStore(InMemoryReportStore):
    def __init__(self, payments: CountedPayments) -> None:
        super().__init__()
        self.payments = payments
        self.most_alive = 0

    def save_reports(self, reports: Sequence[UserReport], run_id: str) -> SavedReports:
        self.most_alive = max(self.most_alive, len(self.payments.alive))
        return super().save_reports(reports, run_id)


def test_the_builder_holds_at_most_one_users_history_at_a_time() -> None:
    users, commitments = users_in_shard(80, SHARD), 5
    source = CountedPayments(users, commitments)
    store = SamplingStore(source)
    ports = ReportPorts(
        source,
        store,
        InMemoryConsent(),
        InMemoryReportRuns(),
        InMemoryExportSink(),
        InMemoryErasureLog(),
    )

    outcome = build_shard(ports, start_or_join_run(ports.runs, "2026-11", NOW), SHARD)

    months_read = len(months_read_for(NOVEMBER))  # 24 + a month either side + 1: 27
    one_users_history = months_read * commitments
    assert outcome.users == len(users)
    assert source.made == len(users) * one_users_history
    # The current user's payments plus the head of each of the month streams, at most.
    assert 0 < store.most_alive <= one_users_history + 2 * months_read
    assert store.most_alive < source.made / 20


def test_users_of_a_shard_come_one_at_a_time_in_index_order() -> None:
    users = users_in_shard(5, SHARD)
    source = InMemoryShardPayments(
        [p for user in users for p in monthly(user, "Gym", ["2025-01", "2026-06", "2026-11"])]
    )
    seen = [
        (user, len(list(group)), corrections)
        for user, group, corrections in users_of_shard(source, NOVEMBER, SHARD)
    ]
    assert seen == [(user, 3, []) for user in users]


def test_the_manifest_lists_every_part_with_its_hash_and_rows() -> None:
    ports = make_ports()
    run = start_or_join_run(ports.runs, "2026-11", NOW)
    build_all(ports, run)
    manifest = write_manifest(ports, "2026-11", NOW)
    exports = ports.exports
    assert isinstance(exports, InMemoryExportSink)
    document = json.loads(exports.objects["2026-11/manifest.json"])
    assert exports.writes[-1] == "2026-11/manifest.json"  # written last
    assert document["runId"] == run.run_id
    assert document["cutoff"] == "2026-12-05T03:00:00.000000Z"
    assert document["rowCount"] == 0
    for part in document["parts"]:
        body = exports.objects[f"2026-11/{part['name']}"]
        assert part["sha256"] == hashlib.sha256(body).hexdigest()
        assert part["bytes"] == len(body)
        assert gzip.GzipFile(fileobj=io.BytesIO(body)).read() == b""
        assert body[4:8] == b"\0\0\0\0"  # mtime 0
    assert manifest.document() == document


def test_report_documents_are_stable_json(
    three_users: tuple[list[UUID], list[Payment]],
) -> None:
    (alice, _, _), payments = three_users
    ports = make_ports(payments)
    run = start_or_join_run(ports.runs, "2026-11", NOW)
    build_shard(ports, run, SHARD)
    reports = ports.reports
    assert isinstance(reports, InMemoryReportStore)
    run_id, text = reports.reports[(alice, NOVEMBER)]
    assert run_id == run.run_id
    document = json.loads(text)
    assert document["generatedAt"] == run.cutoff.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert [c["name"] for c in document["commitments"]] == ["Gym", "Netflix"]
    assert datetime.fromisoformat(document["generatedAt"]).tzinfo is not None


def rent_paid_irregularly(user: UUID) -> list[Payment]:
    """Rent paid on 7 and 28 June, 3 and 30 August, and one more on 1 August submitted late, on
    20 September. August's first run (cut-off 5 September) does not see the late one: its
    schedule counts 30 August for August. A later run of August sees it, fits another schedule
    and leaves 30 August to September — as September's build does."""
    days = ["2025-06-07", "2025-06-28", "2025-08-03", "2025-08-30"]
    late = paid(
        user,
        "Rent",
        "2025-08-01T10:00:00Z",
        "499.00",
        received_at=datetime(2025, 9, 20, tzinfo=UTC),
    )
    on_time = [paid(user, "Rent", f"{d}T10:00:00Z", f"{500 + i}.00") for i, d in enumerate(days)]
    return [*on_time, late]


def rows_in(ports: ReportPorts, folder: str) -> list[dict[str, Any]]:
    """Every row of the parts in `folder` (not its corrections)."""
    exports = ports.exports
    assert isinstance(exports, InMemoryExportSink)
    parts = [k for k in exports.objects if k.startswith(folder) and k.endswith(".jsonl.gz")]
    return [
        row for key in parts if "/corrections/" not in key for row in rows_of(exports.objects[key])
    ]


@pytest.mark.parametrize("august", ["handed over, then corrected", "never built"])
def test_a_payment_exported_with_the_month_before_is_not_exported_again(august: str) -> None:
    (user,) = users_in_shard(1, SHARD)
    ports = make_ports(rent_paid_irregularly(user))
    consent = ports.consent
    assert isinstance(consent, InMemoryConsent)
    consent.give(user, datetime(2025, 1, 1, tzinfo=UTC))
    if august != "never built":
        build_all(ports, start_or_join_run(ports.runs, "2025-08", NOW, scheduled=True))
        write_manifest(ports, "2025-08", NOW)
        (august_row,) = rows_in(ports, "2025-08/")
        # A correction run of August starts (it would see the late rent and count 3 September
        # for September) and is never finished: the export the bureau holds is still the first
        # run's, and September is judged against that one.
        hand_over(ports.runs, ports.erasures, "2025-08", NOW)
        correction = start_or_join_run(ports.runs, "2025-08", NOW + timedelta(days=1))
        assert correction.kind is RunKind.CORRECTION

    build_shard(ports, start_or_join_run(ports.runs, "2025-09", NOW, scheduled=True), SHARD)

    (row,) = rows_in(ports, "2025-09/")
    assert row["status"] == "kept"
    if august == "never built":
        assert (row["amount"], row["payments"]) == ("503.00", 1)  # 30 August
    else:
        assert (row["amount"], row["payments"], row["evidence"]) == ("0.00", 0, [])
        assert len(august_row["evidence"]) == 2  # 26 July and 3 September went with August
