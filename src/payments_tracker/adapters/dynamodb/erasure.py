"""Erasing a customer on DynamoDB: the fence, every item under `USER#<id>`, then an audit item.

The fence is the customer item (`customer.py`) with `erasedAt` set; it stays, holding only the user
id and that instant, for as long as the audit. The audit item lives in its own partition,
`AUDIT#ERASE` / `<erasedAt>#<userId>`, so erasing never deletes it and it holds no personal data
beyond the user id: who ran it, when, and item counts. While an erasure runs, the same partition
holds `INPROGRESS#<userId>`; it sorts after every instant, so one query for keys after an instant
finds both the erasures completed since then and those still running (`DynamoDBErasureLog`).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from botocore.exceptions import ClientError

from payments_tracker.adapters.dynamodb.calls import (
    batch_write,
    error_code,
    error_name,
    storage_errors,
)
from payments_tracker.adapters.dynamodb.customer import (
    CONFLICT_ATTEMPTS,
    CUSTOMER_KEY,
    ERASED_AT,
    customer_key,
)
from payments_tracker.adapters.dynamodb.keys import user_key
from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE
from payments_tracker.domain.timestamps import utc_text
from payments_tracker.service.ports import ErasedItems, StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_PK, _SK = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key
AUDIT_PARTITION = "AUDIT#ERASE"
IN_PROGRESS_PREFIX = "INPROGRESS#"
AUDIT_RETENTION_DAYS = 6 * 365 + 2
"""Kept as long as the reports and exports whose erasure it proves (six years)."""


def _kind(sort_key: str) -> str:
    if sort_key.startswith("PAYMENT#"):
        return "payments"
    if sort_key.startswith("REPORT#"):
        return "other" if "#CHUNK#" in sort_key else "reports"  # a chunk of a large report
    if sort_key == "CONSENT" or sort_key.startswith("CONSENT#"):
        return "consent"
    return "other"


class DynamoDBCustomerData:
    """CustomerData on the `payments` table."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def fence(self, user_id: UUID, at: datetime) -> None:
        """Write the in-progress marker (from now on no handover goes ahead), then replace the
        customer item by the fence (its monthly counts go). The put of the fence is retried while
        it collides with a write of the customer's still in its transaction."""
        expires = str(int(at.timestamp()) + AUDIT_RETENTION_DAYS * 86400)
        with storage_errors(error_name):
            self._client.put_item(
                TableName=self._table,
                Item={
                    _PK: {"S": AUDIT_PARTITION},
                    _SK: {"S": f"{IN_PROGRESS_PREFIX}{user_id}"},
                    "type": {"S": "erasure-in-progress"},
                    "userId": {"S": str(user_id)},
                    "startedAt": {"S": utc_text(at)},
                },
            )
        fence: dict[str, Any] = {
            **customer_key(user_id),
            "type": {"S": "customer"},
            "userId": {"S": str(user_id)},
            ERASED_AT: {"S": utc_text(at)},
            PAYMENTS_TABLE.ttl_attribute: {"N": expires},
        }
        for attempt in range(CONFLICT_ATTEMPTS):
            with storage_errors(error_name):
                try:
                    self._client.put_item(TableName=self._table, Item=fence)
                except ClientError as error:
                    if error_code(error) != "TransactionConflictException":
                        raise
                else:
                    return
            time.sleep(min(0.02 * 2**attempt, 0.5))
        raise StorageUnavailable("TransactionConflictException")

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
            with storage_errors(error_name):
                response = self._client.query(**request)
            keys = [
                {_PK: item[_PK], _SK: item[_SK]}
                for item in response.get("Items", [])
                if item[_SK]["S"] != CUSTOMER_KEY  # the fence stays
            ]
            batch_write(
                self._client,
                self._table,
                [{"DeleteRequest": {"Key": key}} for key in keys],
                gave_up="unprocessed-deletes",
                reason=error_name,
            )
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

    def record_erasure(
        self,
        user_id: UUID,
        erased_at: datetime,
        operator: str,
        erased: ErasedItems,
        login_deleted: bool | None,
    ) -> str:
        """One PutItem in the audit partition; returns `AUDIT#ERASE/<sort key>`."""
        instant = utc_text(erased_at)
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
        with storage_errors(error_name):
            self._client.put_item(TableName=self._table, Item=item)
            self._client.delete_item(
                TableName=self._table,
                Key={_PK: {"S": AUDIT_PARTITION}, _SK: {"S": f"{IN_PROGRESS_PREFIX}{user_id}"}},
            )
        return f"{AUDIT_PARTITION}/{sort_key}"


class DynamoDBErasureLog:
    """ErasureLog on the audit partition: one Query for any key after an instant."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def erasure_since(self, moment: datetime) -> bool:
        """Whether an erasure completed after `moment`, or is still in progress."""
        with storage_errors():
            response = self._client.query(
                TableName=self._table,
                KeyConditionExpression="#pk = :pk AND #sk > :since",
                ExpressionAttributeNames={"#pk": _PK, "#sk": _SK},
                ExpressionAttributeValues={
                    ":pk": {"S": AUDIT_PARTITION},
                    ":since": {"S": utc_text(moment)},
                },
                ProjectionExpression="#pk",
                Limit=1,
                ConsistentRead=True,
            )
        return bool(response.get("Items"))
