"""Lambda `report`: one shard of a month (`{"month", "shard"}`) or its manifest (`{"month"}`).

The Step Functions Map calls it once per shard, then once for the manifest. `{"scheduledTime"}`
(the scheduler's input) may stand in for `month`: it reports the month before and gives a new
run the scheduled cut-off (the 5th of M+1, 02:00 UTC). Logs carry counts and ids of runs only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from payments_tracker.domain.report_run import month_of_schedule
from payments_tracker.domain.sharding import SHARD_COUNT
from payments_tracker.observability import logger, metrics, tracer
from payments_tracker.service.report_ports import ReportPorts
from payments_tracker.service.reports import build_shard, start_or_join_run, write_manifest
from payments_tracker.settings import Settings, get_settings

MANIFEST_STEP = "manifest"


class BadReportEvent(ValueError):
    """An event that is not one of the report function's inputs."""


@dataclass(frozen=True)
class ReportRequest:
    """What one invocation does: build `shard` of `month`, or (shard None) write its manifest."""

    month: str
    shard: int | None
    scheduled: bool


def parse_event(event: object) -> ReportRequest:
    """The request of `{month, shard}`, `{month[, step]}` or `{scheduledTime[, shard]}`."""
    if not isinstance(event, Mapping):
        raise BadReportEvent("the event must be a JSON object")
    unknown = set(event) - {"month", "shard", "step", "scheduledTime"}
    if unknown:
        raise BadReportEvent(f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")
    month, scheduled_time = event.get("month"), event.get("scheduledTime")
    if scheduled_time is not None:
        if not isinstance(scheduled_time, str):
            raise BadReportEvent("scheduledTime must be an ISO 8601 string")
        try:
            fired = datetime.fromisoformat(scheduled_time)
        except ValueError:
            raise BadReportEvent("scheduledTime must be an ISO 8601 date-time") from None
        if fired.tzinfo is None:
            fired = fired.replace(tzinfo=UTC)
        month = month if month is not None else str(month_of_schedule(fired))
    if not isinstance(month, str):
        raise BadReportEvent("month (YYYY-MM) or scheduledTime is required")
    step, shard = event.get("step"), event.get("shard")
    if step not in (None, MANIFEST_STEP, "shard"):
        raise BadReportEvent("step must be 'manifest' or 'shard'")
    if shard is None:
        if step == "shard":
            raise BadReportEvent("step 'shard' needs a shard")
        return ReportRequest(month, None, scheduled_time is not None)
    if step == MANIFEST_STEP:
        raise BadReportEvent("the manifest step takes no shard")
    if isinstance(shard, bool) or not isinstance(shard, int) or not 0 <= shard < SHARD_COUNT:
        raise BadReportEvent(f"shard must be an integer 0-{SHARD_COUNT - 1}")
    return ReportRequest(month, shard, scheduled_time is not None)


def ports_from_settings(settings: Settings) -> ReportPorts:
    """The report engine's ports on the table and the export bucket (or folder) of `settings`."""
    # Imported here so that pure tests of the handler never load boto3.
    from pathlib import Path  # noqa: PLC0415

    from payments_tracker.adapters.dynamodb.client import make_client  # noqa: PLC0415
    from payments_tracker.adapters.dynamodb.reports import report_ports  # noqa: PLC0415
    from payments_tracker.adapters.exports.local import LocalExportSink  # noqa: PLC0415
    from payments_tracker.adapters.exports.s3 import s3_export_sink  # noqa: PLC0415
    from payments_tracker.service.report_ports import ExportSink  # noqa: PLC0415

    exports: ExportSink
    if settings.export_bucket:
        exports = s3_export_sink(settings.export_bucket, settings.aws_region)
    elif settings.export_dir:
        exports = LocalExportSink(Path(settings.export_dir))
    else:  # fail before any report item is written, not at the first part
        raise RuntimeError("set PAYMENTS_EXPORT_BUCKET (AWS) or PAYMENTS_EXPORT_DIR (local)")
    return report_ports(make_client(settings), settings.table_name, exports)


_override: ReportPorts | None = None
_clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


@lru_cache(maxsize=1)
def _ports_from_settings() -> ReportPorts:
    return ports_from_settings(get_settings())


def override(ports: ReportPorts | None, clock: Callable[[], datetime] | None = None) -> None:
    """Use `ports` (and `clock`) instead of the real ones; None restores them (tests)."""
    global _override, _clock  # noqa: PLW0603
    _override = ports
    _clock = clock or (lambda: datetime.now(UTC))


def handle(event: object) -> dict[str, Any]:
    """Do what the event asks and answer a summary (ids and counts only)."""
    request = parse_event(event)
    ports = _override if _override is not None else _ports_from_settings()
    now = _clock()
    if request.shard is None:
        manifest = write_manifest(ports, request.month, now)
        rows = sum(part.rows for part in manifest.parts)
        logger.info(
            "report manifest written",
            extra={
                "month": request.month,
                "runId": manifest.run.run_id,
                "rows": rows,
                "failedCustomers": len(manifest.failed_customers),
            },
        )
        metrics.add_metric(name="ReportManifestWritten", unit=MetricUnit.Count, value=1)
        return {
            "month": request.month,
            "step": MANIFEST_STEP,
            "runId": manifest.run.run_id,
            "kind": manifest.run.kind.value,
            "rows": rows,
            "manifest": manifest.run.manifest_key,
            # A count only: the ids are in the manifest, not in the execution's history.
            "failedCustomers": len(manifest.failed_customers),
        }
    run = start_or_join_run(ports.runs, request.month, now, scheduled=request.scheduled)
    outcome = build_shard(ports, run, request.shard)
    summary = {
        "month": request.month,
        "shard": outcome.shard,
        "runId": run.run_id,
        "kind": run.kind.value,
        "status": outcome.state.value,
        "users": outcome.users,
        "kept": outcome.kept,
        "lapsed": outcome.lapsed,
        "ended": outcome.ended,
        "rows": outcome.rows,
        "failedCustomers": len(outcome.failed_users),
        "erasedSkipped": outcome.erased_skipped,
    }
    logger.info("report shard built", extra=summary)
    metrics.add_metric(name="ReportShardBuilt", unit=MetricUnit.Count, value=1)
    # An alarm watches this: a customer skipped by the run needs an operator (docs/operations.md).
    metrics.add_metric(
        name="ReportCustomersFailed", unit=MetricUnit.Count, value=len(outcome.failed_users)
    )
    metrics.add_metric(name="ReportRowsExported", unit=MetricUnit.Count, value=outcome.rows)
    return summary


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:  # noqa: ARG001
    """Lambda entry point."""
    return handle(event)
