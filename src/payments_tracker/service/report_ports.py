"""The ports of the monthly report engine; DynamoDB, S3 and local files implement them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol
from uuid import UUID

from payments_tracker.domain.corrections import Correction
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from payments_tracker.domain.report import UserReport
from payments_tracker.domain.report_run import Manifest, Run, ShardOutcome


class ShardPayments(Protocol):
    """Every payment of one shard dated in one month, and every correction the shard's customers
    made to their commitments: the `byMonth` index."""

    def payments_of(self, month: Month, shard: int) -> Iterator[Payment]:
        """The shard's payments of `month` (customer's offset), lazily, sorted by user id."""

    def corrections_of(self, shard: int) -> Iterator[Correction]:
        """The shard's corrections, lazily, sorted by user id (as text), then by time."""


@dataclass(frozen=True)
class SavedReports:
    """Which reports of a `save_reports` call were not written, and why."""

    erased: frozenset[UUID] = frozenset()
    """Customers erased meanwhile: nothing of theirs was written (the erasure fence)."""
    failed: frozenset[UUID] = frozenset()
    """Customers whose report the store refused (e.g. too large): the run lists them."""


class ReportStore(Protocol):
    """Where each customer's report of a month is kept."""

    def save_reports(self, reports: Sequence[UserReport], run_id: str) -> SavedReports:
        """Write (or overwrite) each customer's report of its month, durably, unless the customer
        was erased — checked in the same atomic write, so no build resurrects an erased customer.
        StorageUnavailable if the store cannot be reached."""

    def delete_report(self, user_id: UUID, month: Month) -> None:
        """Delete the customer's report of `month`, if any (a stale one)."""


class ErasureLog(Protocol):
    """The audit of erasures: whether one happened since an instant."""

    def erasure_since(self, moment: datetime) -> bool:
        """Whether an erasure completed after `moment`, or is still in progress."""


class ConsentLookup(Protocol):
    """Whether a customer's consent to credit-file sharing stands at a moment."""

    def consent_standing_at(self, user_id: UUID, cutoff: datetime) -> bool:
        """Whether the consent in force at `cutoff` (the latest change at or before it) shares."""


class ReportRuns(Protocol):
    """The record of each month's runs: the current run, shard outcomes, manifest, handover."""

    def current_run(self, month: Month) -> Run | None:
        """The month's current run (strongly consistent), or None before the first."""

    def start_run(self, run: Run, replaces: Run | None) -> bool:
        """Make `run` the month's current run if the current one is still `replaces`."""

    def record_shard(self, run: Run, outcome: ShardOutcome) -> None:
        """Record where one shard of `run` stands (overwrites its previous record)."""

    def claim_upload(self, run: Run) -> bool:
        """Just before a file of `run` is uploaded: a conditional write that succeeds only while
        `run` is the month's current run and may still write (not handed over)."""

    def shard_outcomes(self, run: Run) -> list[ShardOutcome]:
        """Every recorded shard outcome of `run`'s folder (strongly consistent)."""

    def record_manifest(self, run: Run, manifest: Manifest) -> None:
        """Record the manifest written for `run` and mark the run's manifest written."""

    def manifest_hashes(self, run: Run) -> dict[int, str] | None:
        """The part hashes of the manifest recorded for `run`, or None if none was written."""

    def mark_handed_over(self, run: Run, at: datetime) -> bool:
        """Mark the month handed over if `run` is still current; False if it is not."""


class ExportSink(Protocol):
    """Where the credit-file export goes: a bucket on AWS, a folder on a laptop."""

    def put(self, key: str, body: BinaryIO, content_type: str) -> None:
        """Store `body` (read from its current position) under `key`, replacing any object."""


@dataclass(frozen=True)
class ReportPorts:
    """Everything building a shard or a manifest talks to."""

    payments: ShardPayments
    reports: ReportStore
    consent: ConsentLookup
    runs: ReportRuns
    exports: ExportSink
    erasures: ErasureLog
