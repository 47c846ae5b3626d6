"""When a month closed, as the api reads it from the run records (DynamoDB Local)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from payments_tracker.adapters.dynamodb.month_closings import DynamoDBMonthClosings
from payments_tracker.adapters.dynamodb.reports import DynamoDBReportRuns
from payments_tracker.domain.months import Month
from payments_tracker.domain.report_run import Run
from payments_tracker.local.bootstrap import dynamodb_client, ensure_table

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

MONTH = Month(2026, 10)
BY_HAND = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
"""A run started by hand before the schedule (the 5th, 02:00 UTC) fixes an earlier cut-off."""


@pytest.fixture
def table(dynamodb_endpoint: str) -> Iterator[tuple[DynamoDBClient, str]]:
    client = dynamodb_client(dynamodb_endpoint)
    name = f"closings-{uuid.uuid4().hex[:12]}"
    ensure_table(client, name)
    try:
        yield client, name
    finally:
        client.delete_table(TableName=name)


def test_a_month_closes_at_its_first_runs_cutoff_even_after_a_correction(
    table: tuple[DynamoDBClient, str],
) -> None:
    client, name = table
    runs, closings = DynamoDBReportRuns(client, name), DynamoDBMonthClosings(client, name)
    assert closings.month_closed_at(MONTH) is None

    original = Run.original(MONTH, BY_HAND)
    assert runs.start_run(original, None)
    assert closings.month_closed_at(MONTH) == BY_HAND

    correction = original.handed_over(BY_HAND + timedelta(days=3)).correction(
        BY_HAND + timedelta(days=20)
    )
    assert runs.start_run(correction, original)
    assert closings.month_closed_at(MONTH) == BY_HAND
    assert closings.month_closed_at(MONTH.plus(1)) is None
