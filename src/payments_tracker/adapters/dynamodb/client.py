"""The DynamoDB client: short timeouts and bounded standard retries (docs/design.md §2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=2,
    retries={"mode": "standard", "total_max_attempts": 3},
)


def make_client(region: str, endpoint_url: str | None = None) -> DynamoDBClient:
    """A DynamoDB client of `region` (and, locally, DynamoDB Local's `endpoint_url`)."""
    return boto3.client(
        "dynamodb", region_name=region, endpoint_url=endpoint_url, config=CLIENT_CONFIG
    )
