"""Use cases of the monthly report: start or join a run, build a shard, write the manifest,
hand a month over (docs/design.md §6)."""

from __future__ import annotations

import gzip
import hashlib
import heapq
import itertools
import json
import operator
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any
from uuid import UUID

from payments_tracker.domain.corrections import Correction
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from payments_tracker.domain.report import (
    MonthBefore,
    UserReport,
    build_user_report,
    months_read_for,
)
from payments_tracker.domain.report_run import (
    ErasedSinceBuilt,
    Manifest,
    MonthNotBuilt,
    Run,
    RunKind,
    ShardOutcome,
    ShardState,
    parse_buildable_month,
    scheduled_cutoff,
)
from payments_tracker.domain.sharding import SHARD_COUNT
from payments_tracker.domain.standing import CommitmentStatus
from payments_tracker.service.report_ports import (
    ConsentLookup,
    ErasureLog,
    ReportPorts,
    ReportRuns,
    ShardPayments,
)

Clock = Callable[[], datetime]

PART_CONTENT_TYPE = "application/gzip"
MANIFEST_CONTENT_TYPE = "application/json"
GZIP_LEVEL = 6
_START_ATTEMPTS = 5


class MonthHandedOver(Exception):
    """A write into a handed-over export was attempted (a stale run): refused."""


class RunConflict(Exception):
    """The month's current run kept changing under us: another run is starting concurrently."""


def start_or_join_run(
    runs: ReportRuns, month_text: str, now: datetime, *, scheduled: bool = False
) -> Run:
    """The run a build of the month joins, starting one if needed (cut-off rules of §6).

    The first run's cut-off is now (the 5th of M+1 02:00 UTC when scheduled); later builds keep
    it and overwrite — until the month is handed over: then each build is a correction run with
    a new cut-off (now), in its own folder. Shards of one run converge on the same run even when
    they start at the same moment (the start is a conditional write).
    """
    month = parse_buildable_month(month_text, now)
    for _ in range(_START_ATTEMPTS):
        current = runs.current_run(month)
        if current is not None and current.joined_by_next_run():
            return current
        if current is None:
            cutoff = scheduled_cutoff(month, now) if scheduled else now
            candidate = Run.original(month, cutoff)
        else:
            candidate = current.correction(now)
        if runs.start_run(candidate, replaces=current):
            return candidate
    raise RunConflict(f"{month}: the current run kept changing")


def users_of_shard(
    payments: ShardPayments, month: Month, shard: int
) -> Iterator[tuple[UUID, Iterator[Payment], list[Correction]]]:
    """Each user of the shard with a lazy stream of their payments in the months a report of
    `month` reads, and their corrections.

    One user-sorted stream per month read, merged lazily (a k-way merge), walked in step with the
    user-sorted stream of corrections: only the head of each stream and the current user's
    payments and corrections are ever held.
    """
    streams = [_owned(payments.payments_of(read, shard)) for read in months_read_for(month)]
    merged = heapq.merge(*streams, key=_OWNER)
    corrections = _Peekable(payments.corrections_of(shard))
    for owner, group in itertools.groupby(merged, key=_OWNER):
        yield UUID(owner), map(_PAYMENT, group), corrections.take_while_owner(owner)


_OWNER, _PAYMENT = operator.itemgetter(0), operator.itemgetter(1)


def _owned(payments: Iterator[Payment]) -> Iterator[tuple[str, Payment]]:
    # The owner's canonical text, as the index sorts it (`<userId>#…`), not the UUID's integer
    # order; computed once per run of one owner's payments (a month stream holds each owner's
    # payments together).
    owner: UUID | None = None
    text = ""
    for payment in payments:
        user_id = payment.submission.user_id
        if user_id != owner:
            owner, text = user_id, str(user_id)
        yield text, payment


class _Peekable:
    """The shard's corrections, handed out one user at a time in the payments' user order."""

    def __init__(self, corrections: Iterator[Correction]) -> None:
        self._corrections = corrections
        self._head: Correction | None = next(corrections, None)

    def take_while_owner(self, owner: str) -> list[Correction]:
        # Users with corrections but no payment in the window are passed over.
        while self._head is not None and str(self._head.user_id) < owner:
            self._head = next(self._corrections, None)
        taken = []
        while self._head is not None and str(self._head.user_id) == owner:
            taken.append(self._head)
            self._head = next(self._corrections, None)
        return taken


@dataclass
class _Counts:
    users: int = 0
    stale_reports_deleted: int = 0
    commitments: int = 0
    kept: int = 0
    lapsed: int = 0
    ended: int = 0
    rows: int = 0
    erased_skipped: int = 0

    def add(self, report: UserReport) -> None:
        self.users += 1
        self.commitments += len(report.commitments)
        self.kept += report.count(CommitmentStatus.KEPT)
        self.lapsed += report.count(CommitmentStatus.LAPSED)
        self.ended += report.count(CommitmentStatus.ENDED)


class _PartWriter:
    """Rows as gzip JSON Lines with `mtime=0` and no file name: the same rows, the same bytes."""

    def __init__(self, target: IO[bytes]) -> None:
        self._gzip = gzip.GzipFile(
            filename="", mode="wb", fileobj=target, compresslevel=GZIP_LEVEL, mtime=0
        )
        self._last: tuple[str, str] | None = None

    def write(self, row: dict[str, Any]) -> None:
        """Write `row` as exactly one line, whatever its text holds (issue 11, point 4).

        `json.dumps` escapes LF, CR and the other C0 controls (VT, FF, FS, GS, RS among them)
        but writes NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029) raw;
        `str.splitlines` and other readers end a line at each. Those three only ever occur inside
        a JSON string here, so each is replaced by its `\\uXXXX` escape: the same JSON value.
        """
        order = (str(row["userId"]), str(row["commitmentId"]))
        if self._last is not None and order <= self._last:
            raise ValueError("export rows out of order")  # a bug: the stream is user-sorted
        self._last = order
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        if not line.isascii():
            line = line.translate({0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"})
        self._gzip.write((line + "\n").encode("utf-8"))

    def close(self) -> None:
        self._gzip.close()


SAVE_BATCH = 50
"""Reports saved per call of the store (one atomic write each on DynamoDB: 2 actions a report)."""


def build_shard(
    ports: ReportPorts,
    run: Run,
    shard: int,
    clock: Clock = lambda: datetime.now(UTC),
) -> ShardOutcome:
    """Build and store every report of one shard, export its part, record the outcome.

    One customer cannot stop the shard: a customer whose report fails to build or to store is
    skipped (no report, no rows) and listed in the outcome; the shard completes.
    """
    if not 0 <= shard < SHARD_COUNT:
        raise ValueError(f"shard must be 0-{SHARD_COUNT - 1}")
    _refuse_handed_over(ports.runs, run)
    started = clock()
    ports.runs.record_shard(
        run, ShardOutcome(shard, run.run_id, ShardState.RUNNING, started_at=started)
    )
    try:
        outcome = _build_shard(ports, run, shard, started)
    except BaseException as error:
        failed = ShardOutcome(
            shard, run.run_id, ShardState.FAILED, error=type(error).__name__, started_at=started
        )
        ports.runs.record_shard(run, failed)
        raise
    ports.runs.record_shard(run, outcome)
    return outcome


@dataclass
class _Pending:
    """Reports built but not yet stored, with the rows each may export (after it is stored)."""

    reports: list[UserReport] = field(default_factory=list)
    rows: list[list[dict[str, Any]]] = field(default_factory=list)


def _build_shard(ports: ReportPorts, run: Run, shard: int, started: datetime) -> ShardOutcome:
    counts = _Counts()
    failed: list[str] = []
    pending = _Pending()

    def store_pending(writer: _PartWriter) -> None:
        saved = ports.reports.save_reports(pending.reports, run.run_id)
        for report, rows in zip(pending.reports, pending.rows, strict=True):
            if report.user_id in saved.erased:
                counts.erased_skipped += 1
                continue
            if report.user_id in saved.failed:
                failed.append(str(report.user_id))
                continue
            counts.add(report)
            for row in rows:
                writer.write(row)
            counts.rows += len(rows)
        pending.reports.clear()
        pending.rows.clear()

    closed_before = _closed_before(ports.runs, run.month)
    with tempfile.TemporaryFile() as part:
        writer = _PartWriter(part)
        for user_id, payments, corrections in users_of_shard(ports.payments, run.month, shard):
            stream = _Guarded(payments)
            try:
                report = build_user_report(
                    user_id,
                    run.month,
                    stream,
                    run.cutoff,
                    corrections,
                    before=_month_before(ports.consent, user_id, closed_before),
                )
                rows = report.export_rows() if report is not None else []
            except _StreamFailed as failure:  # the store, not the customer: the shard fails
                raise failure.error from None
            except Exception:  # one customer's data must not stop the month
                failed.append(str(user_id))
                continue
            if report is None:
                # Every payment in the window voided or received after the cut-off.
                ports.reports.delete_report(user_id, run.month)
                counts.stale_reports_deleted += 1
                continue
            if rows and not ports.consent.consent_standing_at(user_id, run.cutoff):
                rows = []
            pending.reports.append(report)
            pending.rows.append(rows)
            if len(pending.reports) >= SAVE_BATCH:
                store_pending(writer)
        if pending.reports:
            store_pending(writer)
        writer.close()
        size = part.tell()
        part.seek(0)
        digest = hashlib.sha256()
        while chunk := part.read(1 << 20):
            digest.update(chunk)
        part.seek(0)
        _claim_upload(ports.runs, run)
        ports.exports.put(run.part_key(shard), part, PART_CONTENT_TYPE)
    return ShardOutcome(
        shard=shard,
        run_id=run.run_id,
        state=ShardState.DONE,
        users=counts.users,
        stale_reports_deleted=counts.stale_reports_deleted,
        commitments=counts.commitments,
        kept=counts.kept,
        lapsed=counts.lapsed,
        ended=counts.ended,
        rows=counts.rows,
        part_bytes=size,
        sha256=digest.hexdigest(),
        started_at=started,
        failed_users=tuple(sorted(failed)),
        erased_skipped=counts.erased_skipped,
    )


def _closed_before(runs: ReportRuns, month: Month) -> datetime | None:
    """The cut-off of the month before's first run (None if it was never built): a payment its
    export carried is not exported again with this month (`build_user_report`). The first run's,
    not a later correction's: it does not change while this month is built and rebuilt, so every
    shard and every re-run with the same cut-off gives the same bytes."""
    before = runs.current_run(month.plus(-1))
    return None if before is None else before.month_closed_at


def _month_before(
    consent: ConsentLookup, user_id: UUID, cutoff: datetime | None
) -> MonthBefore | None:
    if cutoff is None:
        return None
    return MonthBefore(cutoff, lambda: consent.consent_standing_at(user_id, cutoff))


class _StreamFailed(Exception):
    """Reading the shard's payments failed: not the customer's fault, so not skipped."""

    def __init__(self, error: Exception) -> None:
        super().__init__(type(error).__name__)
        self.error = error


class _Guarded(Iterator[Payment]):
    """A customer's payments, with a failure of the store told apart from one of the customer."""

    def __init__(self, payments: Iterator[Payment]) -> None:
        self._payments = payments

    def __next__(self) -> Payment:
        try:
            return next(self._payments)
        except StopIteration:
            raise
        except Exception as error:
            raise _StreamFailed(error) from error


def _claim_upload(runs: ReportRuns, run: Run) -> None:
    # The handover may have happened while this build ran: a conditional write on the run
    # record, right before the upload, keeps a handed-over file from ever being written again.
    if not runs.claim_upload(run):
        raise MonthHandedOver(f"{run.month}: run {run.run_id} was closed while it ran")


def _refuse_handed_over(runs: ReportRuns, run: Run) -> None:
    # The files of a handed-over export are the bureau's: only the current, open run may write,
    # as the run record says now (the caller's copy of the run may be stale).
    current = runs.current_run(run.month)
    if current is None or current.run_id != run.run_id or not current.joined_by_next_run():
        raise MonthHandedOver(f"{run.month}: run {run.run_id} is closed; build a correction")


def write_manifest(ports: ReportPorts, month_text: str, now: datetime) -> Manifest:
    """Write the manifest of the month's current run, last, once every shard is done."""
    month = parse_buildable_month(month_text, now)
    run = ports.runs.current_run(month)
    if run is None:
        raise MonthNotBuilt(f"{month} has no run yet: build its shards first")
    _refuse_handed_over(ports.runs, run)
    manifest = Manifest.of(run, ports.runs.shard_outcomes(run))
    if run.kind is RunKind.CORRECTION:
        # A correction goes to the bureau with its manifest (no handover step follows it): the
        # same gate as a handover, so no erased customer's rows leave in it.
        _refuse_files_older_than_an_erasure(ports.erasures, manifest)
    body = manifest.to_json_bytes()
    with tempfile.TemporaryFile() as file:
        file.write(body)
        file.seek(0)
        _claim_upload(ports.runs, run)
        ports.exports.put(run.manifest_key, file, MANIFEST_CONTENT_TYPE)
    ports.runs.record_manifest(run, manifest)
    return manifest


def _refuse_files_older_than_an_erasure(erasures: ErasureLog, manifest: Manifest) -> None:
    # The two instants come from two clocks (the operator's machine that erased, the functions
    # that built): both must keep NTP time, as AWS's and any managed host's do. The in-progress
    # marker covers an erasure still running, whatever the clocks say.
    if manifest.built_from is None or erasures.erasure_since(manifest.built_from):
        raise ErasedSinceBuilt(
            f"{manifest.run.month}: a customer was erased after its files were built (or an "
            "erasure is running): build the month again, then hand it over"
        )


def hand_over(runs: ReportRuns, erasures: ErasureLog, month_text: str, now: datetime) -> Run:
    """Mark the month handed over to the bureau: from now on its export is never rewritten.

    Refused while any erasure is newer than the files (or still running): they may hold the
    erased customer's rows. Building the month again drops them; then the handover goes ahead.
    """
    month = parse_buildable_month(month_text, now)
    run = runs.current_run(month)
    if run is None or not run.manifest_written:
        raise MonthNotBuilt(f"{month} has no complete run (parts and manifest): build it first")
    if run.handed_over_at is not None:
        return run
    manifest = Manifest.of(run, runs.shard_outcomes(run))  # RunIncomplete if not
    if runs.manifest_hashes(run) != manifest.part_hashes():
        raise MonthNotBuilt(f"{month}: parts changed since the manifest: write the manifest again")
    _refuse_files_older_than_an_erasure(erasures, manifest)
    handed = run.handed_over(now)
    if not runs.mark_handed_over(run, now):
        raise RunConflict(f"{month}: another run started meanwhile; try again")
    return handed
