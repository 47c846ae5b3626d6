"""`payments-tracker admin erase` against DynamoDB Local and cognito-local: all gone, audited."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from payments_tracker.adapters.dynamodb.consent import DynamoDBConsentRepository
from payments_tracker.adapters.dynamodb.repository import DynamoDBPaymentRepository
from payments_tracker.cli.root import main
from payments_tracker.domain.consent import ConsentChange
from payments_tracker.domain.payment import Payment, validate_submission
from payments_tracker.local.bootstrap import TABLE_NAME, cognito_client, dynamodb_client

if TYPE_CHECKING:
    from pathlib import Path

    from mypy_boto3_dynamodb import DynamoDBClient

    from conftest import CognitoLocal
    from payments_tracker.local.config import LocalConfig

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def client(dynamodb_endpoint: str) -> DynamoDBClient:
    return dynamodb_client(dynamodb_endpoint)


@pytest.fixture
def config_file(tmp_path: Path, local_config: LocalConfig) -> Path:
    path = tmp_path / "config.json"
    local_config.write(path)
    return path


def items_of(client: DynamoDBClient, user: str) -> list[str]:
    response = client.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user}"}},
        ConsistentRead=True,
    )
    return sorted(item["SK"]["S"] for item in response["Items"])


def store_customer_data(client: DynamoDBClient, user: uuid.UUID, payments: int) -> None:
    repository = DynamoDBPaymentRepository(client, TABLE_NAME)
    for index in range(payments):
        submission = validate_submission(
            {
                "paymentId": str(uuid.uuid4()),
                "userId": str(user),
                "timestamp": (NOW - timedelta(days=index)).isoformat(),
                "description": f"Gym {index}",
                "currency": "GBP",
                "amount": "29.90",
            },
            NOW,
        )
        assert repository.insert(Payment(submission=submission, received_at=NOW)) is None
    for month in ("2026-10", "2026-11"):
        client.put_item(
            TableName=TABLE_NAME,
            Item={
                "PK": {"S": f"USER#{user}"},
                "SK": {"S": f"REPORT#{month}"},
                "document": {"S": json.dumps({"month": month, "userId": str(user)})},
            },
        )
    consents = DynamoDBConsentRepository(client, TABLE_NAME)
    given = ConsentChange(True, "2026-11", NOW - timedelta(days=2))
    consents.record(user, given, None)
    consents.record(user, ConsentChange(False, "2026-11", NOW - timedelta(days=1)), given)


def test_erase_deletes_payments_reports_consent_and_login_and_writes_an_audit_record(
    client: DynamoDBClient, cognito: CognitoLocal, config_file: Path
) -> None:
    customer = cognito.create_user()
    user = uuid.UUID(customer.sub)
    store_customer_data(client, user, payments=30)  # more than one BatchWriteItem of 25
    neighbour = uuid.uuid4()
    store_customer_data(client, neighbour, payments=1)
    assert len(items_of(client, customer.sub)) == 30 + 2 + 3 + 1  # and the customer item

    result = CliRunner().invoke(
        main,
        [
            "admin",
            "erase",
            "--user",
            customer.sub,
            "--yes",
            "--operator",
            "ops-on-call",
            "--config",
            str(config_file),
        ],
    )

    assert result.exit_code == 0, result.output
    receipt = json.loads(result.output)
    assert receipt["deleted"] == {
        "payments": 30,
        "reports": 2,
        "consentItems": 3,
        "otherItems": 0,
    }
    assert receipt["loginDeleted"] is True
    # Only the erasure fence stays: the user id and when, nothing else.
    assert items_of(client, customer.sub) == ["CUSTOMER"]
    fence = client.get_item(
        TableName=TABLE_NAME,
        Key={"PK": {"S": f"USER#{customer.sub}"}, "SK": {"S": "CUSTOMER"}},
        ConsistentRead=True,
    )["Item"]
    assert set(fence) == {"PK", "SK", "type", "userId", "erasedAt", "expiresAt"}
    assert len(items_of(client, str(neighbour))) == 1 + 2 + 3 + 1
    assert not DynamoDBConsentRepository(client, TABLE_NAME).consent_standing_at(user, NOW)
    pool = cognito_client(cognito.endpoint)
    assert customer.sub not in {
        attribute["Value"]
        for listed in pool.list_users(UserPoolId=cognito.user_pool_id)["Users"]
        for attribute in listed.get("Attributes", [])
    }

    partition, sort_key = receipt["audit"].split("/", 1)
    audit = client.get_item(
        TableName=TABLE_NAME,
        Key={"PK": {"S": partition}, "SK": {"S": sort_key}},
        ConsistentRead=True,
    )["Item"]
    assert partition == "AUDIT#ERASE"
    assert audit["userId"] == {"S": customer.sub}
    assert audit["operator"] == {"S": "ops-on-call"}
    assert audit["paymentsDeleted"] == {"N": "30"}
    assert audit["loginDeleted"] == {"BOOL": True}
    text = json.dumps(audit)
    assert customer.email not in text
    assert "Gym" not in text
    assert "29.90" not in text


def test_erasing_again_finds_nothing_and_is_audited_again(
    client: DynamoDBClient, config_file: Path
) -> None:
    user = uuid.uuid4()
    store_customer_data(client, user, payments=2)
    arguments = ["admin", "erase", "--user", str(user), "--yes", "--config", str(config_file)]

    first = CliRunner().invoke(main, arguments)
    second = CliRunner().invoke(main, arguments)

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert json.loads(first.output)["loginDeleted"] is False  # never had a login in this pool
    assert json.loads(second.output)["deleted"] == {
        "payments": 0,
        "reports": 0,
        "consentItems": 0,
        "otherItems": 0,
    }
    assert json.loads(first.output)["audit"] != json.loads(second.output)["audit"]


def test_keep_login_leaves_the_account_and_says_so(
    client: DynamoDBClient, cognito: CognitoLocal, config_file: Path
) -> None:
    customer = cognito.create_user()

    arguments = ["erase", "--user", customer.sub, "--keep-login", "--yes"]

    result = CliRunner().invoke(main, ["admin", *arguments, "--config", str(config_file)])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["loginDeleted"] is None
    pool = cognito_client(cognito.endpoint)
    assert pool.admin_get_user(UserPoolId=cognito.user_pool_id, Username=customer.sub)


def test_an_id_that_is_not_a_user_id_is_refused_and_touches_nothing(config_file: Path) -> None:
    result = CliRunner().invoke(
        main, ["admin", "erase", "--user", "USER#*", "--yes", "--config", str(config_file)]
    )

    assert result.exit_code == 1
    assert "not a user id" in result.output
