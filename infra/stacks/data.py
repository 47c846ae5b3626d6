"""Data: the `payments` table, the credit-file export bucket and the audit trail of data access."""

from __future__ import annotations

from typing import Unpack, cast

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.stacks.options import StackOptions
from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE, TableDefinition

EXPORT_RETENTION = Duration.days(6 * 365 + 2)  # six years, leap days included (docs/design.md §8)
NONCURRENT_VERSION_RETENTION = Duration.days(30)
PITR_DAYS = 35


def export_bucket_name() -> str:
    """A fixed name per account and region: operators hand it to the bureau, and the report
    function's policy names its objects without a cross-stack reference."""
    return f"payments-tracker-exports-{Aws.ACCOUNT_ID}-{Aws.REGION}"


def export_objects_arn() -> str:
    """Every object of the export bucket."""
    return f"arn:{Aws.PARTITION}:s3:::{export_bucket_name()}/*"


def table_from_definition(
    scope: Construct, construct_id: str, definition: TableDefinition, key: kms.IKey
) -> dynamodb.Table:
    """The CloudFormation table built from the one table definition the code and bootstrap use."""

    def string(name: str) -> dynamodb.Attribute:
        return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)

    table = dynamodb.Table(
        scope,
        construct_id,
        partition_key=string(definition.partition_key),
        sort_key=string(definition.sort_key),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=key,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True, recovery_period_in_days=PITR_DAYS
        ),
        deletion_protection=True,
        contributor_insights_specification=dynamodb.ContributorInsightsSpecification(enabled=True),
        time_to_live_attribute=definition.ttl_attribute,
        removal_policy=RemovalPolicy.RETAIN,
    )
    for index in definition.local_indexes:
        table.add_local_secondary_index(
            index_name=index.name,
            sort_key=string(index.sort_key),
            projection_type=dynamodb.ProjectionType.ALL,
        )
    for index in definition.global_indexes:
        table.add_global_secondary_index(
            index_name=index.name,
            partition_key=string(index.partition_key),
            sort_key=string(index.sort_key),
            projection_type=dynamodb.ProjectionType.ALL,
            contributor_insights_specification=dynamodb.ContributorInsightsSpecification(
                enabled=True
            ),
        )
    return table


class DataStack(Stack):
    """Everything that holds customer data, encrypted with customer-managed keys."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Unpack[StackOptions]) -> None:
        super().__init__(scope, construct_id, **kwargs)

        self.table_key = kms.Key(
            self,
            "TableKey",
            description="payments-tracker: the payments table",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.table = table_from_definition(self, "PaymentsTable", PAYMENTS_TABLE, self.table_key)

        # Server access logs of the buckets below; it cannot log to itself.
        self.access_log_bucket = s3.Bucket(
            self,
            "AccessLogBucket",
            # SSE-S3 is the only encryption S3 server access log delivery supports.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(400))],
            removal_policy=RemovalPolicy.RETAIN,
        )

        self.export_key = kms.Key(
            self,
            "ExportKey",
            description="payments-tracker: the credit-file export bucket",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.export_bucket = s3.Bucket(
            self,
            "ExportBucket",
            bucket_name=export_bucket_name(),
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.export_key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            server_access_logs_bucket=self.access_log_bucket,
            server_access_logs_prefix="export/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="reports-kept-six-years",
                    expiration=EXPORT_RETENTION,
                    noncurrent_version_expiration=NONCURRENT_VERSION_RETENTION,
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                ),
                s3.LifecycleRule(
                    id="drop-expired-delete-markers", expired_object_delete_marker=True
                ),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )

        self.trail_bucket = s3.Bucket(
            self,
            "TrailBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.access_log_bucket,
            server_access_logs_prefix="trail/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(400),
                    noncurrent_version_expiration=Duration.days(30),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        # Data events only: who read or wrote customer data. Management events belong to the
        # account's own (organisation) trail.
        self.trail = cloudtrail.Trail(
            self,
            "DataEventsTrail",
            bucket=self.trail_bucket,
            is_multi_region_trail=False,
            include_global_service_events=False,
            enable_file_validation=True,
            management_events=cloudtrail.ReadWriteType.NONE,
        )
        self.trail.add_s3_event_selector(
            [cloudtrail.S3EventSelector(bucket=self.export_bucket)],
            include_management_events=False,
            read_write_type=cloudtrail.ReadWriteType.ALL,
        )
        cfn_trail = cast(cloudtrail.CfnTrail, self.trail.node.default_child)
        # The L2 selector types stop at S3 and Lambda; DynamoDB tables are a valid basic selector.
        cfn_trail.add_property_override(
            "EventSelectors",
            [
                {
                    "IncludeManagementEvents": False,
                    "ReadWriteType": "All",
                    "DataResources": [
                        {"Type": "AWS::DynamoDB::Table", "Values": [self.table.table_arn]},
                        {
                            "Type": "AWS::S3::Object",
                            "Values": [f"{self.export_bucket.bucket_arn}/"],
                        },
                    ],
                }
            ],
        )
