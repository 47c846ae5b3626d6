"""A table of its own for a test of the report engine against DynamoDB Local, the engine's ports
on it as the composition root builds them (with DynamoDB Local's client), and what a user holds
in it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from payments_tracker.composition import root
from payments_tracker.composition.settings import Settings
from payments_tracker.local.bootstrap import dynamodb_client, ensure_table

if TYPE_CHECKING:
    from uuid import UUID

    from mypy_boto3_dynamodb import DynamoDBClient

    from payments_tracker.service.report_ports import ReportPorts


@contextmanager
def fresh_table(endpoint: str, prefix: str) -> Iterator[tuple[DynamoDBClient, str]]:
    """A new table on DynamoDB Local, deleted afterwards: a report reads whole months, so no other
    test's payments may be in it."""
    client = dynamodb_client(endpoint)
    name = f"{prefix}-{uuid.uuid4().hex[:12]}"
    ensure_table(client, name)
    try:
        yield client, name
    finally:
        client.delete_table(TableName=name)


def ports_of(client: DynamoDBClient, name: str, exports: Path) -> ReportPorts:
    """The report engine's ports on table `name`, exporting into the folder `exports`."""
    settings = Settings.model_validate({"table_name": name, "export_dir": str(exports)})
    return root.report_ports(settings, client)


def sort_keys(client: DynamoDBClient, name: str, user: UUID) -> list[str]:
    """The sort keys of every item of `user` in table `name`, in order (read consistently)."""
    items = client.query(
        TableName=name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user}"}},
        ConsistentRead=True,
    )["Items"]
    return sorted(item["SK"]["S"] for item in items)
