"""Creating the `payments` table from its one definition (the local bootstrap; infra/ uses CDK)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE, TableDefinition
from payments_tracker.local.endpoints import local_service_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TABLE_ACTIVE_TIMEOUT_SECONDS = 30.0


def local_dynamodb_client(endpoint: str, region: str) -> DynamoDBClient:
    """A DynamoDB client for DynamoDB Local at `endpoint`."""
    return cast("DynamoDBClient", local_service_client("dynamodb", endpoint, region))


def ensure_table(
    client: DynamoDBClient, table_name: str, definition: TableDefinition = PAYMENTS_TABLE
) -> bool:
    """Create the table from `definition` unless it exists, wait until ACTIVE; True if created."""
    created = False
    try:
        client.describe_table(TableName=table_name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        request: dict[str, Any] = definition.create_table_request(table_name)
        try:
            client.create_table(**request)
            created = True
        except ClientError as create_error:  # another bootstrap won the race
            if create_error.response["Error"]["Code"] != "ResourceInUseException":
                raise
    _wait_until_active(client, table_name)
    _ensure_ttl(client, table_name, definition.ttl_attribute)
    return created


def _wait_until_active(client: DynamoDBClient, table_name: str) -> None:
    deadline = time.monotonic() + TABLE_ACTIVE_TIMEOUT_SECONDS
    while client.describe_table(TableName=table_name)["Table"].get("TableStatus") != "ACTIVE":
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"table {table_name} not ACTIVE after {TABLE_ACTIVE_TIMEOUT_SECONDS} s"
            )
        time.sleep(0.1)


def _ensure_ttl(client: DynamoDBClient, table_name: str, attribute: str) -> None:
    description = client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if description.get("TimeToLiveStatus") in {"ENABLED", "ENABLING"}:
        return
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
    )
