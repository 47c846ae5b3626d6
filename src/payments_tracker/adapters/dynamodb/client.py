"""The DynamoDB client: short timeouts and bounded standard retries (docs/design.md §2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from payments_tracker.composition.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=2,
    retries={"mode": "standard", "total_max_attempts": 3},
)


def make_client(settings: Settings) -> DynamoDBClient:
    """A DynamoDB client for the configured region (and endpoint, locally)."""
    return boto3.client(
        "dynamodb",
        region_name=settings.aws_region,
        endpoint_url=settings.dynamodb_endpoint_url,
        config=CLIENT_CONFIG,
    )
