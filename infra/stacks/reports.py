"""Reports: the monthly schedule, the Step Functions run over 16 shards, the `report` function."""

from __future__ import annotations

import json
from typing import Any, Unpack

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.config import InfraConfig
from infra.stacks.common import log_group, setting_env
from infra.stacks.data import DataStack, export_objects_arn
from infra.stacks.functions import PythonFunction
from infra.stacks.options import StackOptions
from payments_tracker.adapters.dynamodb.table import BY_MONTH
from payments_tracker.domain.payment import MONTH_CLOSES_AT_HOUR_UTC, MONTH_CLOSES_ON_DAY
from payments_tracker.domain.report_run import SCHEDULE_LEAD
from payments_tracker.domain.sharding import SHARD_COUNT

SHARDS = SHARD_COUNT
# 02:00 UTC on the 5th: month M-1 after a grace period (docs/design.md §2), when
# the domain closes it.
SCHEDULE = f"cron(0 {MONTH_CLOSES_AT_HOUR_UTC} {MONTH_CLOSES_ON_DAY} * ? *)"
SCHEDULE_TIMEZONE = "UTC"
RUN_TIMEOUT = Duration.hours(2)
# What adapters/dynamodb/{reports,consent}.py call: queries of the byMonth index and the run
# records, report items written (PutItem) or deleted (BatchWriteItem), run records updated.
REPORT_TABLE_ACTIONS = [
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:BatchWriteItem",
    # Reports are written in transactions with each customer's erasure fence.
    "dynamodb:ConditionCheckItem",
]
# The domain's month_of_schedule, in JSONata: the scheduled time less SCHEDULE_LEAD is always
# inside the month before (the handler derives it the same way from scheduledTime).
LEAD_MS = int(SCHEDULE_LEAD.total_seconds() * 1000)
MONTH_OF_RUN = (
    "{% $exists($states.input.month) ? $states.input.month : "
    f"$fromMillis($toMillis($states.input.scheduledTime) - {LEAD_MS}, '[Y0001]-[M01]') %}}"
)
LAMBDA_RETRY = [
    {
        "ErrorEquals": [
            "Lambda.ServiceException",
            "Lambda.AWSLambdaException",
            "Lambda.SdkClientException",
            "Lambda.TooManyRequestsException",
        ],
        "IntervalSeconds": 2,
        "MaxAttempts": 6,
        "BackoffRate": 2,
        "JitterStrategy": "FULL",
    },
    {
        "ErrorEquals": ["States.TaskFailed"],
        "IntervalSeconds": 30,
        "MaxAttempts": 2,
        "BackoffRate": 2,
    },
]


def report_run_definition() -> dict[str, Any]:
    """The state machine (JSONata): resolve the month, one report task per shard, the manifest."""

    def invoke(payload: object, **rest: object) -> dict[str, Any]:
        return {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "${ReportFunctionArn}", "Payload": payload},
            "Output": "{% $states.result.Payload %}",
            "Retry": LAMBDA_RETRY,
            **rest,
        }

    return {
        "Comment": "payments-tracker monthly report: {month} by hand, {scheduledTime} on schedule",
        "QueryLanguage": "JSONata",
        "TimeoutSeconds": int(RUN_TIMEOUT.to_seconds()),
        "StartAt": "ResolveMonth",
        "States": {
            "ResolveMonth": {
                "Type": "Pass",
                # The scheduled time travels with the run so that the handler takes the scheduled
                # cut-off (the 5th, 02:00 UTC) rather than the moment a shard happens to start.
                "Output": {
                    "month": MONTH_OF_RUN,
                    "scheduledTime": (
                        "{% $exists($states.input.scheduledTime) ? "
                        "$states.input.scheduledTime : null %}"
                    ),
                },
                "Next": "BuildShards",
            },
            "BuildShards": {
                "Type": "Map",
                "Items": f"{{% [0..{SHARDS - 1}] %}}",
                "MaxConcurrency": SHARDS,
                "ItemSelector": {
                    "month": "{% $states.input.month %}",
                    "shard": "{% $states.context.Map.Item.Value %}",
                    "scheduledTime": "{% $states.input.scheduledTime %}",
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "BuildShard",
                    "States": {"BuildShard": invoke("{% $states.input %}", End=True)},
                },
                "Output": {
                    "month": "{% $states.input.month %}",
                    "scheduledTime": "{% $states.input.scheduledTime %}",
                },
                "Next": "WriteManifest",
            },
            "WriteManifest": invoke(
                {
                    "month": "{% $states.input.month %}",
                    "scheduledTime": "{% $states.input.scheduledTime %}",
                },
                End=True,
            ),
        },
    }


class ReportsStack(Stack):
    """Once a month, every shard's reports and the credit-file export, then the manifest."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        data: DataStack,
        **kwargs: Unpack[StackOptions],
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        limits = config.concurrency if config.reserve_concurrency else None

        self.report_function = PythonFunction(
            self,
            "Report",
            handler="payments_tracker.handlers.report.handler",
            description="Builds one shard of a month's reports ({month, shard}) or its manifest",
            environment={
                setting_env("table_name"): data.table.table_name,
                setting_env("export_bucket"): data.export_bucket.bucket_name,
            },
            timeout=Duration.minutes(15),
            memory_size=1769,  # one full vCPU
            reserved_concurrency=limits.report if limits else None,
            log_days=config.log_retention_days,
        )
        self.report_function.grant_table(
            data.table.table_arn, data.table_key.key_arn, REPORT_TABLE_ACTIONS, [BY_MONTH.name]
        )
        role = self.report_function.role
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ExportObjects",
                actions=["s3:PutObject"],  # adapters/exports/s3.py only writes
                resources=[export_objects_arn()],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ExportKey",
                actions=["kms:GenerateDataKey"],
                resources=[data.export_key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{self.region}.amazonaws.com"}},
            )
        )

        self.run_logs = log_group(self, "RunLogs", config.log_retention_days)
        self.state_machine = sfn.StateMachine(
            self,
            "MonthlyReportRun",
            definition_body=sfn.DefinitionBody.from_string(json.dumps(report_run_definition())),
            definition_substitutions={"ReportFunctionArn": self.report_function.live.function_arn},
            state_machine_type=sfn.StateMachineType.STANDARD,
            timeout=RUN_TIMEOUT,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=self.run_logs, level=sfn.LogLevel.ALL, include_execution_data=False
            ),
        )
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                sid="InvokeReport",
                actions=["lambda:InvokeFunction"],
                resources=[self.report_function.live.function_arn],
            )
        )

        self.schedule_dlq = sqs.Queue(
            self,
            "ScheduleDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        schedule_role = iam.Role(
            self,
            "ScheduleRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            ),
            description="payments-tracker: start the monthly report run",
        )
        self.state_machine.grant_start_execution(schedule_role)
        self.schedule_dlq.grant_send_messages(schedule_role)
        self.schedule = scheduler.CfnSchedule(
            self,
            "MonthlySchedule",
            description="The monthly report of the month before, after a grace period",
            schedule_expression=SCHEDULE,
            schedule_expression_timezone=SCHEDULE_TIMEZONE,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            state="ENABLED",
            target=scheduler.CfnSchedule.TargetProperty(
                arn=self.state_machine.state_machine_arn,
                role_arn=schedule_role.role_arn,
                input=json.dumps({"scheduledTime": "<aws.scheduler.scheduled-time>"}),
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_retry_attempts=10, maximum_event_age_in_seconds=6 * 3600
                ),
                dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                    arn=self.schedule_dlq.queue_arn
                ),
            ),
        )
