"""A run of the monthly report: when a month can be built, its cut-off, its export layout (§6)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from payments_tracker.domain.errors import DomainError
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import month_closes_at
from payments_tracker.domain.report import SOURCE
from payments_tracker.domain.sharding import SHARD_COUNT
from payments_tracker.domain.timestamps import utc_text

BUILDABLE_HOUR_UTC = 12
"""At 12:00 UTC on the 1st of M+1 the month is over in every offset down to -12:00."""
SCHEDULE_LEAD = timedelta(days=5)
"""The schedule fires on the 5th of M+1: five days back is always inside M."""


class MonthNotBuildable(DomainError):
    """A month that is malformed or not over everywhere yet: it cannot be built."""


class RunIncomplete(DomainError):
    """A run some of whose shards are not built: no manifest, no handover yet."""

    def __init__(self, month: Month, shards: list[int]) -> None:
        listed = ", ".join(f"{shard:02d}" for shard in shards)
        super().__init__(f"{month}: shard(s) {listed} not built for this run")
        self.shards = shards


class MonthNotBuilt(DomainError):
    """A month with no complete run: nothing to hand over."""


class ErasedSinceBuilt(DomainError):
    """An erasure ran after (or while) the month's files were built: they may hold the erased
    customer's rows, so they are not handed over until the month is built again."""


def buildable_from(month: Month) -> datetime:
    """The first instant a month can be built: 12:00 UTC on the 1st of the next month."""
    return month.plus(1).start_utc().replace(hour=BUILDABLE_HOUR_UTC)


def parse_buildable_month(text: str, now: datetime) -> Month:
    """The month `YYYY-MM` if it can be built at `now`; MonthNotBuildable otherwise."""
    month = Month.parse(text)
    if month is None:
        raise MonthNotBuildable(f"{text!r} is not a month: use YYYY-MM, e.g. 2026-11")
    opens = buildable_from(month)
    if now < opens:
        raise MonthNotBuildable(
            f"{month} is not over everywhere yet: it can be built from {utc_text(opens)}"
        )
    return month


def month_of_schedule(scheduled_time: datetime) -> Month:
    """The month a scheduled run reports: the month before the one it fires in."""
    return Month.of((scheduled_time - SCHEDULE_LEAD).astimezone(UTC))


def scheduled_cutoff(month: Month, now: datetime) -> datetime:
    """The scheduled run's cut-off: the 5th of M+1 at 02:00 UTC (never later than now)."""
    return min(month_closes_at(month), now)


class RunKind(StrEnum):
    """The first export of a month, or a correction after it was handed over."""

    ORIGINAL = "original"
    CORRECTION = "correction"


_RUN_ID_TIME = "%Y%m%dT%H%M%S%fZ"


def run_id_for(month: Month, cutoff: datetime) -> str:
    """A readable run id that the cut-off determines: `2026-10_20261105T020000000000Z`."""
    return f"{month}_{cutoff.astimezone(UTC).strftime(_RUN_ID_TIME)}"


def cutoff_of_run_id(run_id: str) -> datetime:
    """The cut-off a run id was made from (`run_id_for`'s inverse)."""
    return datetime.strptime(run_id.split("_", 1)[1], _RUN_ID_TIME).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Run:
    """The run of a month that shards join: its id, cut-off, kind, and the month's handover."""

    month: Month
    run_id: str
    cutoff: datetime
    kind: RunKind = RunKind.ORIGINAL
    original_run_id: str | None = None
    handed_over_at: datetime | None = None
    manifest_written: bool = False

    @classmethod
    def original(cls, month: Month, cutoff: datetime) -> Run:
        """The first run of a month."""
        return cls(month, run_id_for(month, cutoff), cutoff)

    def correction(self, cutoff: datetime) -> Run:
        """A correction run after the handover of this month: a new cut-off, its own folder."""
        return Run(
            month=self.month,
            run_id=run_id_for(self.month, cutoff),
            cutoff=cutoff,
            kind=RunKind.CORRECTION,
            original_run_id=self.original_run_id or self.run_id,
            handed_over_at=self.handed_over_at,
        )

    def joined_by_next_run(self) -> bool:
        """Whether the next build of the month joins this run rather than start a correction."""
        if self.handed_over_at is None:
            return True  # before the handover a re-run keeps the cut-off and overwrites
        return self.kind is RunKind.CORRECTION and not self.manifest_written

    @property
    def month_closed_at(self) -> datetime:
        """When the month closed: the cut-off of its first (original) run."""
        if self.original_run_id is None:
            return self.cutoff
        return cutoff_of_run_id(self.original_run_id)

    def handed_over(self, at: datetime) -> Run:
        """This run with the month marked handed over at `at`."""
        return replace(self, handed_over_at=at)

    @property
    def export_folder(self) -> str:
        """Where this run's parts and manifest go: `<month>/` or `<month>/corrections/<runId>/`."""
        if self.kind is RunKind.CORRECTION:
            return f"{self.month}/corrections/{self.run_id}/"
        return f"{self.month}/"

    def part_key(self, shard: int) -> str:
        """The export key of one shard's part, e.g. `2026-10/part-07.jsonl.gz`."""
        return f"{self.export_folder}{part_name(shard)}"

    @property
    def manifest_key(self) -> str:
        """The export key of the manifest, written after every part."""
        return f"{self.export_folder}manifest.json"


def part_name(shard: int) -> str:
    """The file name of a shard's part."""
    return f"part-{shard:02d}.jsonl.gz"


class ShardState(StrEnum):
    """Where one shard of a run stands."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class ShardOutcome:
    """What building one shard did: counts, and the part's size and SHA-256 (no personal data)."""

    shard: int
    run_id: str
    state: ShardState
    users: int = 0
    stale_reports_deleted: int = 0
    commitments: int = 0
    kept: int = 0
    lapsed: int = 0
    ended: int = 0
    rows: int = 0
    part_bytes: int = 0
    sha256: str = ""
    error: str | None = None
    """The exception's type name when the shard failed (never its message: it may hold data)."""
    started_at: datetime | None = None
    """When the build that produced this outcome started reading (a handover compares erasures
    with the earliest of these)."""
    failed_users: tuple[str, ...] = ()
    """Customers whose report could not be built or stored: skipped (no report, no rows)."""
    erased_skipped: int = 0
    """Customers erased while the shard ran: nothing of theirs written."""


@dataclass(frozen=True)
class ManifestPart:
    """One part as the manifest lists it."""

    shard: int
    name: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """Written last: the run id, cut-off, row counts and SHA-256 of every part, and the customers
    the run had to skip."""

    run: Run
    parts: tuple[ManifestPart, ...]
    failed_customers: tuple[str, ...] = ()
    built_from: datetime | None = None
    """The earliest start of the builds that produced the parts."""

    @classmethod
    def of(cls, run: Run, outcomes: list[ShardOutcome]) -> Manifest:
        """The manifest of a run whose every shard is done; RunIncomplete otherwise."""
        done = {
            o.shard: o for o in outcomes if o.run_id == run.run_id and o.state is ShardState.DONE
        }
        missing = [shard for shard in range(SHARD_COUNT) if shard not in done]
        if missing:
            raise RunIncomplete(run.month, missing)
        starts = [o.started_at for o in done.values() if o.started_at is not None]
        return cls(
            run,
            tuple(
                ManifestPart(s, part_name(s), done[s].rows, done[s].part_bytes, done[s].sha256)
                for s in range(SHARD_COUNT)
            ),
            tuple(sorted(user for o in done.values() for user in o.failed_users)),
            min(starts) if len(starts) == len(done) else None,
        )

    def document(self) -> dict[str, Any]:
        """The manifest's JSON object; nothing in it depends on when it was written."""
        document: dict[str, Any] = {
            "month": str(self.run.month),
            "runId": self.run.run_id,
            "kind": self.run.kind.value,
            "cutoff": utc_text(self.run.cutoff),
        }
        if self.run.kind is RunKind.CORRECTION:
            document["correctsRunId"] = self.run.original_run_id
        document |= {
            "source": SOURCE,
            "format": "JSON Lines, gzip, rows sorted by userId then commitmentId",
            "rowCount": sum(part.rows for part in self.parts),
            # How many only: the manifest goes to the bureau, and a customer the run skipped may
            # not have consented to sharing; their ids stay in the run's shard records.
            "failedCustomers": len(self.failed_customers),
            "parts": [
                {
                    "shard": part.shard,
                    "name": part.name,
                    "rows": part.rows,
                    "bytes": part.bytes,
                    "sha256": part.sha256,
                }
                for part in self.parts
            ],
        }
        return document

    def to_json_bytes(self) -> bytes:
        """The manifest file's bytes (UTF-8, indented, newline-terminated)."""
        return (json.dumps(self.document(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def part_hashes(self) -> dict[int, str]:
        """SHA-256 of every part by shard."""
        return {part.shard: part.sha256 for part in self.parts}
