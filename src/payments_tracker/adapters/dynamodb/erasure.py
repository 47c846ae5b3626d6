"""Erasing a customer on DynamoDB: every item under `USER#<id>`, then an audit item.

The audit item lives in its own partition, `AUDIT#ERASE` / `<erasedAt>#<userId>`, so erasing never
deletes it and it holds no personal data beyond the user id: who ran it, when, and item counts.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from botocore.exceptions import BotoCoreError, ClientError

from payments_tracker.adapters.dynamodb.repository import user_key
from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE
from payments_tracker.service.ports import ErasedItems, StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import WriteRequestTypeDef

_PK, _SK = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key
AUDIT_PARTITION = "AUDIT#ERASE"
AUDIT_RETENTION_DAYS = 6 * 365 + 2
"""Kept as long as the reports and exports whose erasure it proves (six years)."""
_BATCH_SIZE = 25  # BatchWriteItem's limit
_MAX_ROUNDS = 8  # retries of unprocessed deletes, with exponential backoff


def _kind(sort_key: str) -> str:
    if sort_key.startswith("PAYMENT#"):
        return "payments"
    if sort_key.startswith("REPORT#"):
        return "reports"
    if sort_key == "CONSENT" or sort_key.startswith("CONSENT#"):
        return "consent"
    return "other"


class DynamoDBCustomerData:
    """CustomerData on the `payments` table."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def delete_customer_items(self, user_id: UUID) -> ErasedItems:
        """Query the customer's partition (keys only) page by page; batch-delete each page."""
        counts: Counter[str] = Counter()
        start: dict[str, Any] | None = None
        while True:
            request: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "#pk = :pk",
                "ExpressionAttributeNames": {"#pk": _PK, "#sk": _SK},
                "ExpressionAttributeValues": {":pk": {"S": user_key(user_id)}},
                "ProjectionExpression": "#pk, #sk",
                "ConsistentRead": True,
            }
            if start is not None:
                request["ExclusiveStartKey"] = start
            try:
                response = self._client.query(**request)
            except (ClientError, BotoCoreError) as error:
                raise StorageUnavailable(type(error).__name__) from error
            keys = [{_PK: item[_PK], _SK: item[_SK]} for item in response.get("Items", [])]
            for offset in range(0, len(keys), _BATCH_SIZE):
                self._delete_batch(keys[offset : offset + _BATCH_SIZE])
            counts.update(_kind(key[_SK]["S"]) for key in keys)
            start = response.get("LastEvaluatedKey")
            if not start:
                break
        return ErasedItems(
            payments=counts["payments"],
            reports=counts["reports"],
            consent=counts["consent"],
            other=counts["other"],
        )

    def _delete_batch(self, keys: list[dict[str, Any]]) -> None:
        pending: list[WriteRequestTypeDef] = [{"DeleteRequest": {"Key": key}} for key in keys]
        for round_number in range(_MAX_ROUNDS):
            try:
                response = self._client.batch_write_item(RequestItems={self._table: pending})
            except (ClientError, BotoCoreError) as error:
                raise StorageUnavailable(type(error).__name__) from error
            unprocessed = response.get("UnprocessedItems", {}).get(self._table, [])
            pending = cast("list[WriteRequestTypeDef]", unprocessed)
            if not pending:
                return
            time.sleep(min(0.05 * 2**round_number, 2.0))
        raise StorageUnavailable("unprocessed-deletes")

    def record_erasure(
        self,
        user_id: UUID,
        erased_at: datetime,
        operator: str,
        erased: ErasedItems,
        login_deleted: bool | None,
    ) -> str:
        """One PutItem in the audit partition; returns `AUDIT#ERASE/<sort key>`."""
        instant = erased_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        sort_key = f"{instant}#{user_id}"
        item: dict[str, Any] = {
            _PK: {"S": AUDIT_PARTITION},
            _SK: {"S": sort_key},
            "type": {"S": "erasure-audit"},
            "userId": {"S": str(user_id)},
            "erasedAt": {"S": instant},
            "operator": {"S": operator},
            "paymentsDeleted": {"N": str(erased.payments)},
            "reportsDeleted": {"N": str(erased.reports)},
            "consentItemsDeleted": {"N": str(erased.consent)},
            "otherItemsDeleted": {"N": str(erased.other)},
            "loginDeleted": ({"NULL": True} if login_deleted is None else {"BOOL": login_deleted}),
            PAYMENTS_TABLE.ttl_attribute: {
                "N": str(int(erased_at.timestamp()) + AUDIT_RETENTION_DAYS * 86400)
            },
        }
        try:
            self._client.put_item(TableName=self._table, Item=item)
        except (ClientError, BotoCoreError) as error:
            raise StorageUnavailable(type(error).__name__) from error
        return f"{AUDIT_PARTITION}/{sort_key}"
