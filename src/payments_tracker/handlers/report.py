"""Lambda `report`: one shard of a month (`{"month", "shard"}`) or its manifest (`{"month"}`).

The Step Functions Map calls it once per shard, then once for the manifest. `{"scheduledTime"}`
(the scheduler's input) may stand in for `month`: it reports the month before and gives a new
run the scheduled cut-off (the 5th of M+1, 02:00 UTC). Logs carry counts and ids of runs only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from payments_tracker.composition import root
from payments_tracker.domain.report_run import month_of_schedule
from payments_tracker.domain.sharding import SHARD_COUNT
from payments_tracker.observability import logger, metrics
from payments_tracker.service.reports import build_shard, start_or_join_run, write_manifest

MANIFEST_STEP = "manifest"
root.prepare_for_snapshot(root.report)


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


def handle(event: object) -> dict[str, Any]:
    """Do what the event asks and answer a summary (ids and counts only)."""
    request = parse_event(event)
    ports, clock = root.report()
    now = clock()
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
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:  # noqa: ARG001
    """Lambda entry point."""
    return handle(event)
