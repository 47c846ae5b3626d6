"""The `report` Lambda's inputs, and the two export sinks."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from payments_tracker.adapters.exports.local import LocalExportSink
from payments_tracker.adapters.exports.s3 import S3ExportSink
from payments_tracker.composition import root
from payments_tracker.domain.months import Month
from payments_tracker.handlers import report
from payments_tracker.handlers.report import BadReportEvent, ReportRequest, parse_event
from payments_tracker.local.invokers import LocalLambdaContext
from payments_tracker.service import reports as report_engine
from payments_tracker.service.report_ports import ReportPorts
from support.memory_reports import (
    InMemoryConsent,
    InMemoryErasureLog,
    InMemoryExportSink,
    InMemoryReportRuns,
    InMemoryReportStore,
    InMemoryShardPayments,
)
from support.report_payments import CUTOFF, monthly, users_in_shard


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"month": "2026-11", "shard": 7}, ReportRequest("2026-11", 7, scheduled=False)),
        ({"month": "2026-11"}, ReportRequest("2026-11", None, scheduled=False)),
        ({"month": "2026-11", "step": "manifest"}, ReportRequest("2026-11", None, False)),
        (
            {"scheduledTime": "2026-12-05T02:00:00Z", "shard": 0},
            ReportRequest("2026-11", 0, scheduled=True),
        ),
        ({"scheduledTime": "2027-01-05T02:00:00Z"}, ReportRequest("2026-12", None, True)),
    ],
)
def test_events_of_the_state_machine_and_the_scheduler(
    event: dict[str, Any], expected: ReportRequest
) -> None:
    assert parse_event(event) == expected


@pytest.mark.parametrize(
    "event",
    [
        [],
        {},
        {"month": 202611},
        {"month": "2026-11", "shard": 16},
        {"month": "2026-11", "shard": True},
        {"month": "2026-11", "shard": "7"},
        {"month": "2026-11", "shard": 1, "step": "manifest"},
        {"month": "2026-11", "step": "everything"},
        {"month": "2026-11", "extra": 1},
        {"scheduledTime": "yesterday"},
    ],
)
def test_other_events_are_refused(event: object) -> None:
    with pytest.raises(BadReportEvent):
        parse_event(event)


@pytest.fixture
def memory_ports() -> Iterator[ReportPorts]:
    (alice,) = users_in_shard(1, shard=5)
    consent = InMemoryConsent()
    consent.give(alice, CUTOFF - timedelta(days=1))
    ports = ReportPorts(
        InMemoryShardPayments(monthly(alice, "Gym", ["2026-09", "2026-10", "2026-11"])),
        InMemoryReportStore(),
        consent,
        InMemoryReportRuns(),
        InMemoryExportSink(),
        InMemoryErasureLog(),
    )
    root.override_report(ports, clock=lambda: CUTOFF + timedelta(minutes=5))
    yield ports
    root.override_report(None)


def test_the_handler_builds_shards_then_the_manifest(
    memory_ports: ReportPorts, caplog: pytest.LogCaptureFixture
) -> None:
    answers = [report.handle({"month": "2026-11", "shard": shard}) for shard in range(16)]
    manifest = report.handle({"month": "2026-11"})

    assert sum(answer["rows"] for answer in answers) == 1
    assert answers[5]["users"] == 1
    assert manifest["rows"] == 1
    assert manifest["manifest"] == "2026-11/manifest.json"
    assert "Gym" not in caplog.text


def test_a_customer_whose_report_fails_is_counted_in_the_summary_and_the_alarm_metric(
    memory_ports: ReportPorts,  # installs the ports
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(
        *_: object, **__: object
    ) -> None:  # an injected fault: this customer's report cannot be built
        raise ValueError("broken")

    monkeypatch.setattr(report_engine, "build_user_report", broken)

    answer = report.handler({"month": "2026-11", "shard": 5}, LocalLambdaContext("report"))

    assert answer["status"] == "done"
    assert answer["failedCustomers"] == 1
    assert answer["users"] == 0
    emitted = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]
    published = [
        line["ReportCustomersFailed"] for line in emitted if "ReportCustomersFailed" in line
    ]
    # The alarm's metric: this invocation's value is the last one flushed (earlier tests call
    # `handle` without the decorator, so their values wait in the same buffer).
    assert len(published) == 1
    assert published[0][-1] == 1.0


def test_a_scheduled_run_takes_the_fifth_at_two_as_cutoff(memory_ports: ReportPorts) -> None:
    answer = report.handle({"scheduledTime": "2026-12-05T02:00:00Z", "shard": 5})
    run = memory_ports.runs.current_run(Month(2026, 11))
    assert answer["runId"] == "2026-11_20261205T020000000000Z"
    assert run is not None
    assert run.cutoff == CUTOFF


def test_local_sink_writes_files_under_the_month(tmp_path: Path) -> None:
    sink = LocalExportSink(tmp_path)
    sink.put("2026-11/part-07.jsonl.gz", io.BytesIO(b"one"), "application/gzip")
    sink.put("2026-11/part-07.jsonl.gz", io.BytesIO(b"two"), "application/gzip")
    assert (tmp_path / "2026-11" / "part-07.jsonl.gz").read_bytes() == b"two"
    assert [p.name for p in (tmp_path / "2026-11").iterdir()] == ["part-07.jsonl.gz"]
    with pytest.raises(ValueError, match="relative"):
        sink.put("../escape", io.BytesIO(b""), "application/gzip")


def test_s3_sink_puts_one_object_per_key_relying_on_the_bucket_kms_key() -> None:
    client = boto3.client(
        "s3", region_name="eu-west-2", aws_access_key_id="x", aws_secret_access_key="x"
    )
    body = io.BytesIO(gzip.compress(b"{}\n", mtime=0))
    with Stubber(client) as stubber:
        stubber.add_response(
            "put_object",
            {},
            {
                "Bucket": "exports",
                "Key": "2026-11/part-00.jsonl.gz",
                "Body": body,
                "ContentType": "application/gzip",
            },
        )
        S3ExportSink(client, "exports").put("2026-11/part-00.jsonl.gz", body, "application/gzip")
        stubber.assert_no_pending_responses()


def test_without_an_export_bucket_or_folder_the_report_function_fails_before_writing() -> None:
    from payments_tracker.composition.settings import Settings  # noqa: PLC0415

    unconfigured = Settings(dynamodb_endpoint_url="http://127.0.0.1:9")

    with pytest.raises(RuntimeError, match="PAYMENTS_EXPORT_BUCKET"):
        root.report_ports(unconfigured)
