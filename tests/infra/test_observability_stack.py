"""Alarms to an encrypted SNS topic and the dashboard (docs/design.md §2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.infra.conftest import Synthesized

EXPECTED_ALARMS = {
    "Api5xxRate",
    "ApiLatencyP99",
    "ApiErrors",
    "ApiThrottles",
    "AuthorizerErrors",
    "AuthorizerThrottles",
    "ReportErrors",
    "ReportThrottles",
    "TableThrottles",
    "ReportRunFailed",
    "ReportRunMissing",
    "ReportCustomersFailed",
}


def test_each_alarm_of_the_design_exists_and_notifies_the_topic(synthesized: Synthesized) -> None:
    alarms = synthesized.resources("Observability", "AWS::CloudWatch::Alarm")
    (topic_id,) = synthesized.resources("Observability", "AWS::SNS::Topic")
    names = {logical_id[: -len("XXXXXXXX")] for logical_id in alarms}
    assert names == EXPECTED_ALARMS
    for logical_id, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}], logical_id
        assert alarm["Properties"]["OKActions"] == [{"Ref": topic_id}], logical_id


def test_latency_alarm_watches_p99(synthesized: Synthesized) -> None:
    alarms = synthesized.resources("Observability", "AWS::CloudWatch::Alarm")
    (latency,) = (alarm for name, alarm in alarms.items() if name.startswith("ApiLatencyP99"))
    assert latency["Properties"]["ExtendedStatistic"] == "p99"
    assert latency["Properties"]["MetricName"] == "Latency"


def test_alarm_topic_is_kms_encrypted_and_tls_only(synthesized: Synthesized) -> None:
    (topic,) = synthesized.resources("Observability", "AWS::SNS::Topic").values()
    assert "KmsMasterKeyId" in topic["Properties"]
    (policy,) = synthesized.resources("Observability", "AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )


def test_dashboard_exists(synthesized: Synthesized) -> None:
    (dashboard,) = synthesized.resources("Observability", "AWS::CloudWatch::Dashboard").values()
    assert dashboard["Properties"]["DashboardName"] == "payments-tracker"
