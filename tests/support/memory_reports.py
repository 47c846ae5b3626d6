"""The report engine's ports in memory: for unit tests and benchmark baselines only."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import BinaryIO
from uuid import UUID

from payments_tracker.domain.corrections import Correction
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from payments_tracker.domain.report import UserReport
from payments_tracker.domain.report_run import Manifest, Run, ShardOutcome
from payments_tracker.domain.sharding import shard_of
from payments_tracker.service.report_ports import SavedReports


def index_order(payment: Payment) -> str:
    """The `byMonth` sort key of a payment: `<userId>#<utcInstant>#<paymentId>`."""
    submission = payment.submission
    return f"{submission.user_id}#{submission.timestamp.utc_instant()}#{submission.payment_id}"


class InMemoryShardPayments:
    """ShardPayments over a list: each (month, shard) stream sorted like the `byMonth` index."""

    def __init__(
        self, payments: Iterable[Payment] = (), corrections: Iterable[Correction] = ()
    ) -> None:
        self._streams: dict[tuple[Month, int], list[Payment]] = defaultdict(list)
        self.corrections: list[Correction] = list(corrections)
        for payment in payments:
            self.add(payment)

    def add(self, payment: Payment) -> None:
        """Add (or replace, by payment id) one payment."""
        submission = payment.submission
        stream = self._streams[(submission.month, shard_of(submission.user_id))]
        stream[:] = [p for p in stream if p.submission.payment_id != submission.payment_id]
        stream.append(payment)
        stream.sort(key=index_order)

    def payments_of(self, month: Month, shard: int) -> Iterator[Payment]:
        """The stream of one month and shard."""
        yield from list(self._streams.get((month, shard), []))

    def corrections_of(self, shard: int) -> Iterator[Correction]:
        """The shard's corrections in index order: user id text, then time."""
        mine = [c for c in self.corrections if shard_of(c.user_id) == shard]
        yield from sorted(mine, key=lambda c: (str(c.user_id), c.at, str(c.commitment_id)))


class InMemoryReportStore:
    """ReportStore in a dict: (user, month) -> (run id, document JSON)."""

    def __init__(self) -> None:
        self.reports: dict[tuple[UUID, Month], tuple[str, str]] = {}
        self.erased: set[UUID] = set()

    def save_reports(self, reports: Sequence[UserReport], run_id: str) -> SavedReports:
        """Keep each report's stored form, unless its customer was erased."""
        for report in reports:
            if report.user_id not in self.erased:
                self.reports[(report.user_id, report.month)] = (run_id, report.document_json())
        return SavedReports(
            erased=frozenset(r.user_id for r in reports if r.user_id in self.erased)
        )

    def delete_report(self, user_id: UUID, month: Month) -> None:
        """Forget the report, if any."""
        self.reports.pop((user_id, month), None)

    def document(self, user_id: UUID, month: Month) -> dict[str, object] | None:
        """The stored report document, decoded."""
        stored = self.reports.get((user_id, month))
        return json.loads(stored[1]) if stored else None


class InMemoryConsent:
    """ConsentLookup over a list of changes per user: (when, shares)."""

    def __init__(self) -> None:
        self.changes: dict[UUID, list[tuple[datetime, bool]]] = defaultdict(list)
        self.lookups = 0

    def give(self, user_id: UUID, at: datetime, *, shares: bool = True) -> None:
        """Record a change of the user's consent at `at`."""
        self.changes[user_id].append((at, shares))

    def consent_standing_at(self, user_id: UUID, cutoff: datetime) -> bool:
        """The latest change at or before `cutoff`; no change means no consent."""
        self.lookups += 1
        standing = [change for change in self.changes.get(user_id, []) if change[0] <= cutoff]
        return bool(standing) and max(standing)[1]


class InMemoryReportRuns:
    """ReportRuns in dicts, with the same conditions as the table's."""

    def __init__(self) -> None:
        self.runs: dict[Month, Run] = {}
        self.outcomes: dict[tuple[Month, str, int], ShardOutcome] = {}
        self.manifests: dict[tuple[Month, str], Manifest] = {}

    def current_run(self, month: Month) -> Run | None:
        """The month's current run."""
        return self.runs.get(month)

    def start_run(self, run: Run, replaces: Run | None) -> bool:
        """Replace the current run only if it is still `replaces`."""
        current = self.runs.get(run.month)
        if (current.run_id if current else None) != (replaces.run_id if replaces else None):
            return False
        self.runs[run.month] = run
        return True

    def record_shard(self, run: Run, outcome: ShardOutcome) -> None:
        """Keep the outcome under the run's folder."""
        self.outcomes[(run.month, run.export_folder, outcome.shard)] = outcome

    def shard_outcomes(self, run: Run) -> list[ShardOutcome]:
        """The outcomes recorded under the run's folder."""
        return [
            outcome
            for (month, folder, _), outcome in sorted(self.outcomes.items())
            if month == run.month and folder == run.export_folder
        ]

    def record_manifest(self, run: Run, manifest: Manifest) -> None:
        """Keep the manifest; mark the run's manifest written if it is still current."""
        self.manifests[(run.month, run.export_folder)] = manifest
        current = self.runs.get(run.month)
        if current is not None and current.run_id == run.run_id:
            self.runs[run.month] = replace(current, manifest_written=True)

    def manifest_hashes(self, run: Run) -> dict[int, str] | None:
        """The part hashes of the run's manifest."""
        manifest = self.manifests.get((run.month, run.export_folder))
        if manifest is None or manifest.run.run_id != run.run_id:
            return None
        return manifest.part_hashes()

    def claim_upload(self, run: Run) -> bool:
        """True while `run` is current and may still write (not handed over)."""
        current = self.runs.get(run.month)
        return current is not None and current.run_id == run.run_id and current.joined_by_next_run()

    def mark_handed_over(self, run: Run, at: datetime) -> bool:
        """Mark the month handed over if `run` is current, complete and not handed over."""
        current = self.runs.get(run.month)
        if (
            current is None
            or current.run_id != run.run_id
            or not current.manifest_written
            or current.handed_over_at is not None
        ):
            return False
        self.runs[run.month] = current.handed_over(at)
        return True


class InMemoryErasureLog:
    """ErasureLog over a list of instants at which erasures completed (None: in progress)."""

    def __init__(self) -> None:
        self.erasures: list[datetime | None] = []

    def erasure_since(self, moment: datetime) -> bool:
        """Any erasure in progress, or completed after `moment`."""
        return any(at is None or at > moment for at in self.erasures)


class InMemoryExportSink:
    """ExportSink in a dict: key -> bytes."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.writes: list[str] = []

    def put(self, key: str, body: BinaryIO, content_type: str) -> None:  # noqa: ARG002
        """Keep the bytes."""
        self.objects[key] = body.read()
        self.writes.append(key)
