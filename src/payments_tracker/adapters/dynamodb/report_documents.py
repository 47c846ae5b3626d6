"""Reading a customer's monthly report item (`USER#<id>` / `REPORT#<month>`) for the API."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from payments_tracker.adapters.dynamodb.calls import storage_errors
from payments_tracker.adapters.dynamodb.keys import report_key, user_key
from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE
from payments_tracker.domain.months import Month

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_PK, _SK = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key
DOCUMENT_ATTRIBUTE = "document"
"""The report as JSON text, written by the report engine and served as is."""


class DynamoDBReportDocuments:
    """ReportDocuments on the `payments` table: one GetItem keyed by the owner."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def month_report(self, user_id: UUID, month: Month) -> str | None:
        """The `document` attribute of the owner's report item, or None if there is none."""
        with storage_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key={_PK: {"S": user_key(user_id)}, _SK: {"S": report_key(month)}},
                ProjectionExpression="#document",
                ExpressionAttributeNames={"#document": DOCUMENT_ATTRIBUTE},
            )
        item = response.get("Item")
        if not item or DOCUMENT_ATTRIBUTE not in item:
            return None
        return item[DOCUMENT_ATTRIBUTE]["S"]
