"""Monthly report: payments/s and peak RSS of the month build, in process, as users grow; and one
small month end to end through DynamoDB Local.

In process: synthetic users (5 commitments each, one payment a month for 24 months: three kept,
one lapsed, one ended; half the users consent) streamed lazily per (month, shard), as the
`byMonth` index streams them, through the real `build_shard` of all 16 shards; reports are
serialised and dropped, parts gzip-written and dropped. Each size runs in a fresh process, so its
peak RSS is its own.

    python -m bench.report --users 10000 100000 [--e2e-users 100] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from tests.support.memory_reports import InMemoryErasureLog, InMemoryReportRuns

from bench.common import REPO_ROOT, markdown_table, write_summary
from payments_tracker.domain.corrections import Correction
from payments_tracker.domain.money import Money
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment, Submission
from payments_tracker.domain.report import UserReport
from payments_tracker.domain.sharding import SHARD_COUNT, shard_of
from payments_tracker.domain.timestamps import Timestamp
from payments_tracker.service.report_ports import ReportPorts, SavedReports
from payments_tracker.service.reports import build_shard, start_or_join_run

MONTH = Month(2026, 10)
COMMITMENTS = 5
WINDOW = 24
CUTOFF = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)
_AMOUNT = Money(Decimal("12.99"), "GBP")
_DESCRIPTIONS = ("Netflix.com 8844", "PureGym", "Flat 12 rent", "Spotify", "Vodafone")


def user_id(index: int) -> UUID:
    """The `index`-th synthetic user: a stable UUID v4."""
    return UUID(int=(index * 0x9E3779B97F4A7C15 + 1) % (1 << 122), version=4)


def _paid(commitment: int, months_back: int) -> bool:
    # 0-2 kept every month; 3 lapsed (not paid in M); 4 ended (last paid 4 months before M).
    if commitment == 3:
        return months_back >= 1
    if commitment == 4:
        return months_back >= 4
    return True


class SyntheticShardPayments:
    """The `byMonth` index of `users` synthetic users, generated lazily in index order."""

    def __init__(self, users: int) -> None:
        self.users = users
        self.generated = 0
        self._shard_users: tuple[int, list[UUID]] | None = None

    def _users_of(self, shard: int) -> list[UUID]:
        # One sorted list of the current shard's users, shared by its 24 monthly streams (the
        # index itself is on disk; this is the harness's stand-in for it, built once per shard).
        if self._shard_users is None or self._shard_users[0] != shard:
            owners = (user_id(i) for i in range(self.users))
            self._shard_users = (
                shard,
                sorted((u for u in owners if shard_of(u) == shard), key=str),
            )
        return self._shard_users[1]

    def payments_of(self, month: Month, shard: int) -> Iterator[Payment]:
        """Each user's payments of `month`, users in `userId` text order."""
        months_back = (MONTH.year * 12 + MONTH.month) - (month.year * 12 + month.month)
        if not 0 <= months_back < WINDOW:
            # The build also reads the month either side of the window (the tolerance); the
            # synthetic customers paid only inside it, as before, so the figures compare.
            return
        day = datetime(month.year, month.month, 3, 9, 30, tzinfo=UTC)
        stamp = Timestamp(day.strftime("%Y-%m-%dT%H:%M:%SZ"), day)
        received = day + timedelta(minutes=5)
        for owner in self._users_of(shard):
            for commitment in range(COMMITMENTS):
                if not _paid(commitment, months_back):
                    continue
                self.generated += 1
                payment_id = UUID(int=(owner.int ^ (commitment << 8 | months_back)), version=4)
                submission = Submission(
                    payment_id, owner, stamp, _DESCRIPTIONS[commitment], _AMOUNT
                )
                yield Payment(submission, received)

    def corrections_of(self, shard: int) -> Iterator[Correction]:  # noqa: ARG002
        """The synthetic customers corrected nothing."""
        return iter(())


class SerialisingStore:
    """Serialises each report as the DynamoDB store would, then drops it (memory stays flat)."""

    def __init__(self) -> None:
        self.saved = 0
        self.bytes = 0

    def save_reports(self, reports: Sequence[UserReport], run_id: str) -> SavedReports:  # noqa: ARG002
        """Serialise and count."""
        for report in reports:
            self.saved += 1
            self.bytes += len(report.document_json())
        return SavedReports()

    def delete_report(self, user_id: UUID, month: Month) -> None:
        """Nothing is stored, so nothing is stale."""


class HalfConsent:
    """Users with an even UUID consent."""

    def consent_standing_at(self, user_id: UUID, cutoff: datetime) -> bool:  # noqa: ARG002
        """Whether the user shares."""
        return user_id.int % 2 == 0


class CountingSink:
    """Reads each part to its end and keeps only its size."""

    def __init__(self) -> None:
        self.bytes = 0

    def put(self, key: str, body: BinaryIO, content_type: str) -> None:  # noqa: ARG002
        """Count the part's bytes."""
        self.bytes += len(body.read())


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build_in_process(users: int) -> dict[str, Any]:
    """Build every shard of the month for `users` synthetic users; time, counts, peak RSS."""
    source, store = SyntheticShardPayments(users), SerialisingStore()
    ports = ReportPorts(
        source, store, HalfConsent(), InMemoryReportRuns(), CountingSink(), InMemoryErasureLog()
    )
    # The month before was built, as in production: each build checks what its export carried.
    # Every synthetic payment is on the 3rd, so every kept commitment is checked (the worst case).
    start_or_join_run(ports.runs, str(MONTH.plus(-1)), CUTOFF, scheduled=True)
    run = start_or_join_run(ports.runs, str(MONTH), CUTOFF, scheduled=True)
    rss_before = _peak_rss_mb()
    started = time.perf_counter()
    rows = 0
    for shard in range(SHARD_COUNT):
        rows += build_shard(ports, run, shard).rows
    elapsed = time.perf_counter() - started
    return {
        "users": users,
        "payments": source.generated,
        "reports": store.saved,
        "export_rows": rows,
        "seconds": round(elapsed, 1),
        "payments_per_s": round(source.generated / elapsed),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def build_through_dynamodb_local(users: int) -> dict[str, Any]:
    """Load `users` users' 24 months into an in-memory DynamoDB Local, build the month with the
    DynamoDB adapters (16 shards, one after another) and a local export folder."""
    from payments_tracker.adapters.dynamodb.consent import (  # noqa: PLC0415
        DynamoDBConsentRepository,
    )
    from payments_tracker.adapters.dynamodb.erasure import DynamoDBErasureLog  # noqa: PLC0415
    from payments_tracker.adapters.dynamodb.reports import (  # noqa: PLC0415
        DynamoDBReportRuns,
        DynamoDBReportStore,
        DynamoDBShardPayments,
    )
    from payments_tracker.adapters.dynamodb.repository import to_item  # noqa: PLC0415
    from payments_tracker.adapters.exports.local import LocalExportSink  # noqa: PLC0415
    from payments_tracker.local.bootstrap import (  # noqa: PLC0415
        TABLE_NAME,
        dynamodb_client,
        ensure_table,
    )
    from payments_tracker.local.services import free_port, start_dynamodb_local  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        service = start_dynamodb_local(free_port(), None, log_path=Path(scratch) / "ddb.log")
        try:
            client = dynamodb_client(service.endpoint)
            ensure_table(client, TABLE_NAME)
            source = SyntheticShardPayments(users)
            loaded, batch = 0, []
            started = time.perf_counter()
            for shard in range(SHARD_COUNT):
                for month_back in range(WINDOW):
                    for payment in source.payments_of(MONTH.plus(-month_back), shard):
                        batch.append({"PutRequest": {"Item": to_item(payment)}})
                        if len(batch) == 25:
                            loaded += _write(client, TABLE_NAME, batch)
                            batch = []
            loaded += _write(client, TABLE_NAME, batch)
            load_seconds = time.perf_counter() - started
            ports = ReportPorts(
                DynamoDBShardPayments(client, TABLE_NAME),
                DynamoDBReportStore(client, TABLE_NAME),
                DynamoDBConsentRepository(client, TABLE_NAME),
                DynamoDBReportRuns(client, TABLE_NAME),
                LocalExportSink(Path(scratch) / "exports"),
                DynamoDBErasureLog(client, TABLE_NAME),
            )
            run = start_or_join_run(ports.runs, str(MONTH), CUTOFF, scheduled=True)
            started = time.perf_counter()
            outcomes = [build_shard(ports, run, shard) for shard in range(SHARD_COUNT)]
            elapsed = time.perf_counter() - started
        finally:
            service.stop()
    return {
        "users": users,
        "payments": loaded,
        "load_seconds": round(load_seconds, 1),
        "reports": sum(o.users for o in outcomes),
        "seconds": round(elapsed, 1),
        "payments_per_s": round(loaded / elapsed),
    }


def _write(client: Any, table: str, batch: list[dict[str, Any]]) -> int:
    pending = {table: batch}
    while pending and pending.get(table):
        pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(batch)


def measure(sizes: list[int], e2e_users: int) -> dict[str, Any]:
    """Each size in its own process, then the DynamoDB Local month."""
    rows = []
    for users in sizes:
        command = [sys.executable, "-m", "bench.report", "--single", str(users)]
        result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO_ROOT)
        rows.append(json.loads(result.stdout))
    return {
        "month": str(MONTH),
        "in_process": rows,
        "dynamodb_local": build_through_dynamodb_local(e2e_users) if e2e_users else None,
    }


def table(summary: dict[str, Any]) -> str:
    """Markdown: in-process sizes, then the DynamoDB Local month."""
    header = [
        "users",
        "payments read",
        "reports",
        "export rows",
        "seconds",
        "payments/s",
        "RSS before build MB",
        "peak RSS MB",
    ]
    rows = [
        [
            r["users"],
            r["payments"],
            r["reports"],
            r["export_rows"],
            r["seconds"],
            r["payments_per_s"],
            r["rss_before_mb"],
            r["peak_rss_mb"],
        ]
        for r in summary["in_process"]
    ]
    text = (
        f"Month {summary['month']}, in process, 16 shards one after another:\n\n"
        + markdown_table(header, rows)
    )
    local = summary.get("dynamodb_local")
    if local:
        text += (
            "\n\nEnd to end through DynamoDB Local (in memory), `DynamoDB*` adapters, local"
            " export folder:\n\n"
            + markdown_table(
                [
                    "users",
                    "payments",
                    "load s (BatchWriteItem)",
                    "reports",
                    "build s",
                    "payments/s",
                ],
                [
                    [
                        local["users"],
                        local["payments"],
                        local["load_seconds"],
                        local["reports"],
                        local["seconds"],
                        local["payments_per_s"],
                    ]
                ],
            )
        )
    return text


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--e2e-users", type=int, default=100)
    parser.add_argument("--single", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", help="write the summary here")
    args = parser.parse_args(argv)
    if args.single:
        print(json.dumps(build_in_process(args.single)))
        return 0
    summary = measure(args.users, args.e2e_users)
    print(table(summary))
    write_summary(args.json, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
