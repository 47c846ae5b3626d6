"""Observability: the alarm topic, the alarms of docs/design.md §2 and one dashboard."""

from __future__ import annotations

from typing import Unpack

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.config import InfraConfig
from infra.stacks.api import ApiStack
from infra.stacks.data import DataStack
from infra.stacks.functions import PythonFunction
from infra.stacks.options import StackOptions
from infra.stacks.reports import ReportsStack
from payments_tracker.observability import METRICS_NAMESPACE, SERVICE_NAME

FIVE_MINUTES = Duration.minutes(5)
API_5XX_RATE = 0.01  # more than 1 % of requests answered 5xx, two 5-minute periods running
API_P99_LATENCY_MS = 2000  # well above a healthy p99 (~200 ms), far below the 29 s timeout


class ObservabilityStack(Stack):
    """What an operator watches, and what wakes them up."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        data: DataStack,
        api: ApiStack,
        reports: ReportsStack,
        **kwargs: Unpack[StackOptions],
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)

        # CloudWatch can publish to an encrypted topic only with a key that lets it in.
        self.topic_key = kms.Key(
            self, "AlarmTopicKey", description="payments-tracker: alarms", enable_key_rotation=True
        )
        self.topic_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],  # in a key policy "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )
        self.topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name="payments-tracker alarms",
            master_key=self.topic_key,
            enforce_ssl=True,
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))

        self.alarms: list[cloudwatch.Alarm] = []
        rest_api = api.rest_api
        requests = rest_api.metric_count(period=FIVE_MINUTES, statistic="Sum")
        server_errors = rest_api.metric_server_error(period=FIVE_MINUTES, statistic="Sum")
        error_rate = cloudwatch.MathExpression(
            expression="IF(requests > 0, errors / requests, 0)",
            using_metrics={"errors": server_errors, "requests": requests},
            period=FIVE_MINUTES,
            label="5xx rate",
        )
        latency_p99 = rest_api.metric_latency(period=FIVE_MINUTES, statistic="p99")
        self._alarm(
            "Api5xxRate",
            error_rate,
            API_5XX_RATE,
            "More than 1% of API requests answered 5xx",
            evaluation_periods=2,
        )
        self._alarm(
            "ApiLatencyP99",
            latency_p99,
            API_P99_LATENCY_MS,
            "API p99 latency above 2 s",
            evaluation_periods=3,
        )

        functions: dict[str, PythonFunction] = {
            "Api": api.api_function,
            "Authorizer": api.authorizer_function,
            "Report": reports.report_function,
        }
        for name, function in functions.items():
            self._alarm(
                f"{name}Errors",
                function.function.metric_errors(period=FIVE_MINUTES, statistic="Sum"),
                1,
                f"The {name.lower()} function raised (an unhandled error is a bug)",
            )
            self._alarm(
                f"{name}Throttles",
                function.function.metric_throttles(period=FIVE_MINUTES, statistic="Sum"),
                1,
                f"The {name.lower()} function was throttled (reserved concurrency reached)",
            )

        table = data.table
        throttles = cloudwatch.MathExpression(
            expression="reads + writes",
            using_metrics={
                "reads": table.metric("ReadThrottleEvents", period=FIVE_MINUTES, statistic="Sum"),
                "writes": table.metric("WriteThrottleEvents", period=FIVE_MINUTES, statistic="Sum"),
            },
            period=FIVE_MINUTES,
            label="throttle events",
        )
        self._alarm("TableThrottles", throttles, 1, "DynamoDB throttled requests on the table")

        machine = reports.state_machine
        failed_runs = cloudwatch.MathExpression(
            expression="failed + timedOut + aborted",
            using_metrics={
                "failed": machine.metric_failed(period=FIVE_MINUTES, statistic="Sum"),
                "timedOut": machine.metric_timed_out(period=FIVE_MINUTES, statistic="Sum"),
                "aborted": machine.metric_aborted(period=FIVE_MINUTES, statistic="Sum"),
            },
            period=FIVE_MINUTES,
            label="failed runs",
        )
        self._alarm("ReportRunFailed", failed_runs, 1, "A monthly report run failed or timed out")
        # A run that never started: the schedule gave up on its target and dead-lettered it.
        self._alarm(
            "ReportRunMissing",
            reports.schedule_dlq.metric_approximate_number_of_messages_visible(
                period=FIVE_MINUTES, statistic="Maximum"
            ),
            1,
            "The monthly schedule could not start the report run (see its dead-letter queue)",
        )

        # A customer the run had to skip (listed in the manifest and the run record): the month
        # still completes and can be handed over, but someone must look at that customer.
        self._alarm(
            "ReportCustomersFailed",
            cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name="ReportCustomersFailed",
                dimensions_map={"service": SERVICE_NAME},
                period=FIVE_MINUTES,
                statistic="Sum",
            ),
            1,
            "The monthly run skipped a customer whose report failed (see the manifest)",
        )

        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name="payments-tracker",
            default_interval=Duration.days(1),
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24, height=4),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="API requests", left=[requests], width=8),
            cloudwatch.GraphWidget(title="API 5xx rate", left=[error_rate], width=8),
            cloudwatch.GraphWidget(title="API latency p99 (ms)", left=[latency_p99], width=8),
        )
        self.dashboard.add_widgets(
            *(
                cloudwatch.GraphWidget(
                    title=f"{name} function",
                    left=[
                        function.function.metric_invocations(period=FIVE_MINUTES),
                        function.function.metric_errors(period=FIVE_MINUTES),
                        function.function.metric_throttles(period=FIVE_MINUTES),
                    ],
                    right=[function.function.metric_duration(period=FIVE_MINUTES, statistic="p99")],
                    width=8,
                )
                for name, function in functions.items()
            )
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Table capacity",
                left=[
                    table.metric_consumed_read_capacity_units(period=FIVE_MINUTES),
                    table.metric_consumed_write_capacity_units(period=FIVE_MINUTES),
                ],
                right=[throttles],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Monthly report runs",
                left=[
                    machine.metric_succeeded(period=FIVE_MINUTES, statistic="Sum"),
                    failed_runs,
                ],
                width=12,
            ),
        )

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        evaluation_periods: int = 1,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            comparison_operator=(
                cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
                if threshold == 1
                else cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
            ),
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
