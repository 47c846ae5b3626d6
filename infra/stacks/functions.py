"""The Lambda functions: one code asset, one log group and one least-privilege role each."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.bundling import LAMBDA_PLATFORM, lambda_code
from infra.stacks.common import POWERTOOLS_ENV, log_group

LIVE_ALIAS = "live"
"""The alias every caller invokes: SnapStart applies to published versions only, never $LATEST."""


class PythonFunction(Construct):
    """A Python 3.13 arm64 function with X-Ray, JSON logs kept `log_days`, and its own role.

    SnapStart on published versions (ADR 0006): each deployment publishes a version whose
    initialised environment (every import done) Lambda snapshots; callers invoke `live`, the
    alias of the current version, so a cold start restores the snapshot instead of importing.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        description: str,
        environment: Mapping[str, str],
        timeout: Duration,
        memory_size: int,
        reserved_concurrency: int | None,
        log_days: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group: logs.LogGroup = log_group(self, "Logs", log_days)
        # An own role rather than AWSLambdaBasicExecutionRole: write to this log group only.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"payments-tracker {construct_id}: least privilege",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=LAMBDA_PLATFORM.runtime,
            architecture=LAMBDA_PLATFORM.architecture,
            code=lambda_code(),
            handler=handler,
            role=self.role,
            timeout=timeout,
            memory_size=memory_size,
            reserved_concurrent_executions=reserved_concurrency,
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            log_group=self.log_group,
            environment={**POWERTOOLS_ENV, **environment},
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS,
        )
        self.live = lambda_.Alias(
            self,
            "Live",
            alias_name=LIVE_ALIAS,
            version=self.function.current_version,
            description="The current version: SnapStart restores its snapshot (ADR 0006)",
        )

    def grant_table(
        self, table_arn: str, key_arn: str, actions: list[str], index_names: list[str]
    ) -> None:
        """Allow exactly `actions` on the table and the named indexes, and the key it needs."""
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="PaymentsTable",
                actions=actions,
                resources=[table_arn, *(f"{table_arn}/index/{name}" for name in index_names)],
            )
        )
        region = Stack.of(self).region
        # DynamoDB calls KMS on the caller's behalf: allow it only through DynamoDB.
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="PaymentsTableKey",
                actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                resources=[key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"dynamodb.{region}.amazonaws.com"}},
            )
        )
