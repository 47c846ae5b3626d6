"""The monthly schedule, the Step Functions run and the report function (docs/design.md §2, §6)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.infra.conftest import Synthesized


def _schedule(synthesized: Synthesized) -> dict[str, Any]:
    (schedule,) = synthesized.resources("Reports", "AWS::Scheduler::Schedule").values()
    return dict(schedule["Properties"])


def test_schedule_fires_at_two_utc_on_the_fifth_with_the_scheduled_time(
    synthesized: Synthesized,
) -> None:
    schedule = _schedule(synthesized)
    assert schedule["ScheduleExpression"] == "cron(0 2 5 * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert json.loads(schedule["Target"]["Input"]) == {
        "scheduledTime": "<aws.scheduler.scheduled-time>"
    }


def test_schedule_retries_then_dead_letters(synthesized: Synthesized) -> None:
    target = _schedule(synthesized)["Target"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    (queue_id,) = synthesized.resources("Reports", "AWS::SQS::Queue")
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}


def _definition(synthesized: Synthesized) -> dict[str, Any]:
    (machine,) = synthesized.resources("Reports", "AWS::StepFunctions::StateMachine").values()
    return dict(json.loads(machine["Properties"]["DefinitionString"]))


def test_run_maps_sixteen_shards_to_the_report_function_then_writes_the_manifest(
    synthesized: Synthesized,
) -> None:
    definition = _definition(synthesized)
    states = definition["States"]
    assert definition["StartAt"] == "ResolveMonth"
    shards = states["BuildShards"]
    assert shards["Type"] == "Map"
    assert shards["MaxConcurrency"] == 16
    assert shards["Items"] == "{% [0..15] %}"
    assert shards["ItemProcessor"]["ProcessorConfig"]["Mode"] == "INLINE"
    assert set(shards["ItemSelector"]) == {"month", "shard", "scheduledTime"}
    shard_task = shards["ItemProcessor"]["States"]["BuildShard"]
    assert shard_task["Arguments"]["FunctionName"] == "${ReportFunctionArn}"
    assert shards["Next"] == "WriteManifest"
    manifest = states["WriteManifest"]
    assert manifest["Arguments"]["FunctionName"] == "${ReportFunctionArn}"
    assert set(manifest["Arguments"]["Payload"]) == {"month", "scheduledTime"}


def test_run_reports_the_month_before_the_scheduled_fifth() -> None:
    # The JSONata takes five days off 02:00 UTC on the 5th; check the arithmetic in Python.
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415

    for scheduled in ("2026-01-05", "2026-03-05", "2028-03-05", "2026-12-05"):
        fired = datetime.fromisoformat(f"{scheduled}T02:00:00").replace(tzinfo=UTC)
        month_before = (fired.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        assert (fired - timedelta(days=5)).strftime("%Y-%m") == month_before


def test_run_is_logged_traced_and_time_limited(synthesized: Synthesized) -> None:
    (machine,) = synthesized.resources("Reports", "AWS::StepFunctions::StateMachine").values()
    properties = machine["Properties"]
    assert properties["TracingConfiguration"] == {"Enabled": True}
    assert properties["LoggingConfiguration"]["Level"] == "ALL"
    assert properties["LoggingConfiguration"]["IncludeExecutionData"] is False
    assert _definition(synthesized)["TimeoutSeconds"] > 0


def test_report_role_reads_the_gsi_and_writes_only_the_export_bucket(
    synthesized: Synthesized,
) -> None:
    statements = []
    for logical_id, policy in synthesized.resources("Reports", "AWS::IAM::Policy").items():
        if logical_id.startswith("ReportRole"):
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    by_sid = {statement["Sid"]: statement for statement in statements if "Sid" in statement}
    assert "index/byMonth" in json.dumps(by_sid["PaymentsTable"]["Resource"])
    assert "dynamodb:Scan" not in by_sid["PaymentsTable"]["Action"]
    # the run records are updated in place (adapters/dynamodb/reports.py update_item)
    assert "dynamodb:UpdateItem" in by_sid["PaymentsTable"]["Action"]
    # reports are written in transactions with each customer's erasure fence
    assert "dynamodb:ConditionCheckItem" in by_sid["PaymentsTable"]["Action"]
    assert by_sid["ExportObjects"]["Action"] == "s3:PutObject"
    assert "ExportListing" not in by_sid
    assert "payments-tracker-exports-" in json.dumps(by_sid["ExportObjects"]["Resource"])


def test_state_machine_may_invoke_only_the_report_functions_live_alias(
    synthesized: Synthesized,
) -> None:
    (alias_id,) = synthesized.resources("Reports", "AWS::Lambda::Alias")  # SnapStart (ADR 0006)
    invokes = []
    for logical_id, policy in synthesized.resources("Reports", "AWS::IAM::Policy").items():
        if not logical_id.startswith("MonthlyReportRunRole"):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "lambda:InvokeFunction" in statement["Action"]:
                invokes.append(statement["Resource"])
    assert invokes == [{"Ref": alias_id}]
