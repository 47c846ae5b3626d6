"""When a month closed, for the api function: the cut-off of the month's first report run.

One GetItem of the run record `RUN#<month>` / `RUN`; no report engine is imported (cold start).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from payments_tracker.adapters.dynamodb.calls import storage_errors
from payments_tracker.adapters.dynamodb.keys import RUN_RECORD_KEY, run_key
from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE
from payments_tracker.domain.report_run import cutoff_of_run_id
from payments_tracker.domain.timestamps import parse_utc_text

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from payments_tracker.domain.months import Month

_PK, _SK = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key


class DynamoDBMonthClosings:
    """MonthClosings on the run records of the `payments` table."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def month_closed_at(self, month: Month) -> datetime | None:
        """The original run's cut-off: the run's own, or the one its id records (a correction)."""
        with storage_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key={_PK: {"S": run_key(month)}, _SK: {"S": RUN_RECORD_KEY}},
                ProjectionExpression="#cutoff, #original",
                ExpressionAttributeNames={"#cutoff": "cutoff", "#original": "originalRunId"},
                ConsistentRead=True,
            )
        item = response.get("Item")
        if not item:
            return None
        if "originalRunId" in item:
            return cutoff_of_run_id(item["originalRunId"]["S"])
        return parse_utc_text(item["cutoff"]["S"])
