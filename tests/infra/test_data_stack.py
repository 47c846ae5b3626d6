"""The payments table, the export bucket and the data-events trail (docs/design.md §2, §4, §8)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk.assertions import Match

from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE

if TYPE_CHECKING:
    from tests.infra.conftest import Synthesized


def _table(synthesized: Synthesized) -> dict[str, Any]:
    (table,) = synthesized.resources("Data", "AWS::DynamoDB::Table").values()
    return dict(table)


def _by_name(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


def test_table_keys_and_indexes_equal_the_shared_table_definition(synthesized: Synthesized) -> None:
    properties = _table(synthesized)["Properties"]
    expected = PAYMENTS_TABLE.create_table_request("ignored")

    assert properties["KeySchema"] == expected["KeySchema"]
    assert sorted(properties["AttributeDefinitions"], key=str) == sorted(
        expected["AttributeDefinitions"], key=str
    )
    for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        deployed = _by_name(properties.get(kind, []), "IndexName")
        wanted = _by_name(expected[kind], "IndexName")
        assert deployed.keys() == wanted.keys(), kind
        for name, index in wanted.items():
            assert deployed[name]["KeySchema"] == index["KeySchema"], name
            assert deployed[name]["Projection"] == index["Projection"], name
    assert properties["TimeToLiveSpecification"] == {
        "AttributeName": PAYMENTS_TABLE.ttl_attribute,
        "Enabled": True,
    }


def test_table_is_on_demand_pitr_cmk_encrypted_protected_and_insightful(
    synthesized: Synthesized,
) -> None:
    table = _table(synthesized)
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["SSESpecification"]["SSEType"] == "KMS"
    assert "KMSMasterKeyId" in properties["SSESpecification"]
    assert properties["DeletionProtectionEnabled"] is True
    assert properties["ContributorInsightsSpecification"]["Enabled"] is True
    for index in properties["GlobalSecondaryIndexes"]:
        assert index["ContributorInsightsSpecification"]["Enabled"] is True
    assert table["DeletionPolicy"] == "Retain"


def test_every_customer_managed_key_rotates(synthesized: Synthesized) -> None:
    for stack in synthesized.templates:
        for logical_id, key in synthesized.resources(stack, "AWS::KMS::Key").items():
            assert key["Properties"]["EnableKeyRotation"] is True, f"{stack}/{logical_id}"


def _export_bucket(synthesized: Synthesized) -> dict[str, Any]:
    buckets = synthesized.resources("Data", "AWS::S3::Bucket")
    (bucket,) = (b for name, b in buckets.items() if name.startswith("ExportBucket"))
    return dict(bucket["Properties"])


def test_export_bucket_is_kms_encrypted_versioned_private_and_logged(
    synthesized: Synthesized,
) -> None:
    bucket = _export_bucket(synthesized)
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert "KMSMasterKeyID" in rule["ServerSideEncryptionByDefault"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "DestinationBucketName" in bucket["LoggingConfiguration"]


def test_export_bucket_keeps_reports_six_years_and_old_versions_thirty_days(
    synthesized: Synthesized,
) -> None:
    rules = _by_name(_export_bucket(synthesized)["LifecycleConfiguration"]["Rules"], "Id")
    kept = rules["reports-kept-six-years"]
    assert kept["Status"] == "Enabled"
    assert kept["ExpirationInDays"] == 6 * 365 + 2
    assert kept["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}


def test_every_bucket_refuses_plain_http(synthesized: Synthesized) -> None:
    policies = synthesized.template("Data").find_resources(
        "AWS::S3::BucketPolicy",
        {
            "Properties": {
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Effect": "Deny",
                                    "Action": "s3:*",
                                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                }
                            )
                        ]
                    )
                }
            }
        },
    )
    buckets = synthesized.resources("Data", "AWS::S3::Bucket")
    assert len(policies) == len(buckets) == 3


def test_trail_records_data_events_on_the_table_and_the_export_bucket(
    synthesized: Synthesized,
) -> None:
    (trail,) = synthesized.resources("Data", "AWS::CloudTrail::Trail").values()
    properties = trail["Properties"]
    assert properties["IsLogging"] is True
    assert properties["EnableLogFileValidation"] is True
    (selector,) = properties["EventSelectors"]
    assert selector["ReadWriteType"] == "All"
    resources = {resource["Type"]: resource["Values"] for resource in selector["DataResources"]}
    table_id = next(iter(synthesized.resources("Data", "AWS::DynamoDB::Table")))
    assert resources["AWS::DynamoDB::Table"] == [{"Fn::GetAtt": [table_id, "Arn"]}]
    assert "AWS::S3::Object" in resources
