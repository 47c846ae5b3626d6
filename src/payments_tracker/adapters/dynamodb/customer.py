"""The customer item `USER#<id>` / `CUSTOMER`: each month's payment count and the erasure fence.

Every write of a customer's data is one TransactWriteItems that includes this item, so two rules
hold without a check-then-write race:
- **monthly limit**: a new payment adds one to `payments#<month>` under the condition that it is
  below `MONTHLY_PAYMENT_LIMIT`, in the same transaction as the payment's conditional put;
- **erasure fence**: an erasure first sets `erasedAt` here, then deletes the customer's items (this
  one excepted). A write whose transaction checks `attribute_not_exists(erasedAt)` either commits
  before the fence — and the erasure's later query finds and deletes what it wrote — or is
  cancelled. Nothing written with a token issued before the erasure survives it.

A transaction that collides with another on the same item (`TransactionConflict`) is retried with
a short back-off, a bounded number of times, then reported as StorageUnavailable (503).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from botocore.exceptions import ClientError

from payments_tracker.adapters.dynamodb.calls import error_code, storage_errors
from payments_tracker.adapters.dynamodb.keys import user_key
from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE
from payments_tracker.service.ports import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from payments_tracker.domain.months import Month

_PK, _SK = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key
CUSTOMER_KEY = "CUSTOMER"
"""The sort key of the customer item (the erasure keeps it: it is the fence)."""
ERASED_AT = "erasedAt"
CONDITION_FAILED = "ConditionalCheckFailed"
CONFLICT = "TransactionConflict"
CONFLICT_ATTEMPTS = 6
"""TransactWriteItems calls before a conflict that keeps recurring is a 503."""


def customer_key(user_id: UUID) -> dict[str, Any]:
    """The key of the customer item."""
    return {_PK: {"S": user_key(user_id)}, _SK: {"S": CUSTOMER_KEY}}


def month_counter(month: Month) -> str:
    """The attribute that counts the customer's payments of `month`."""
    return f"payments#{month}"


def slot_in_month(table: str, user_id: UUID, month: Month, limit: int) -> TransactWriteItemTypeDef:
    """Take one of the month's `limit` slots, unless the customer was erased or none is left."""
    return take_slot(table, user_id, month_counter(month), limit)


def take_slot(table: str, user_id: UUID, counter: str, limit: int) -> TransactWriteItemTypeDef:
    """Add one to the customer item's `counter`, unless the customer was erased or it already
    holds `limit`: a transaction's bound on what one customer may store."""
    return cast(
        "TransactWriteItemTypeDef",
        {
            "Update": {
                "TableName": table,
                "Key": customer_key(user_id),
                "UpdateExpression": (
                    "SET #count = if_not_exists(#count, :zero) + :one, #type = :type, #user = :user"
                ),
                "ConditionExpression": (
                    "attribute_not_exists(#erased) AND "
                    "(attribute_not_exists(#count) OR #count < :limit)"
                ),
                "ExpressionAttributeNames": {
                    "#count": counter,
                    "#erased": ERASED_AT,
                    "#type": "type",
                    "#user": "userId",
                },
                "ExpressionAttributeValues": {
                    ":zero": {"N": "0"},
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit)},
                    ":type": {"S": "customer"},
                    ":user": {"S": str(user_id)},
                },
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
    )


def not_erased(table: str, user_id: UUID) -> TransactWriteItemTypeDef:
    """A ConditionCheck that the customer was not erased (true while the item does not exist)."""
    return cast(
        "TransactWriteItemTypeDef",
        {
            "ConditionCheck": {
                "TableName": table,
                "Key": customer_key(user_id),
                "ConditionExpression": "attribute_not_exists(#erased)",
                "ExpressionAttributeNames": {"#erased": ERASED_AT},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
    )


@dataclass(frozen=True)
class Reason:
    """Why one item of a cancelled transaction failed: its code and, on a condition, the item."""

    code: str
    item: dict[str, Any] | None

    @property
    def condition_failed(self) -> bool:
        """The item's condition was false."""
        return self.code == CONDITION_FAILED

    @property
    def erased(self) -> bool:
        """The failed item is a customer item that carries the erasure fence."""
        return self.condition_failed and self.item is not None and ERASED_AT in self.item


ITEM_INVALID = "ValidationError"
"""The reason of an item DynamoDB refuses inside a transaction (too large, a bad value)."""


def transact(
    client: DynamoDBClient,
    items: list[TransactWriteItemTypeDef],
    *,
    answerable: frozenset[str] = frozenset({CONDITION_FAILED}),
) -> list[Reason] | None:
    """TransactWriteItems: None when it committed; one Reason per item when it was cancelled only
    for reasons in `answerable` (a condition failed, by default).

    Conflicts with concurrent transactions are retried (bounded); any other failure, and a
    conflict that outlasts the retries, is StorageUnavailable.
    """
    for attempt in range(CONFLICT_ATTEMPTS):
        with storage_errors():
            try:
                client.transact_write_items(TransactItems=items)
            except ClientError as error:
                if error_code(error) != "TransactionCanceledException":
                    raise
                cancelled = cast(
                    "list[dict[str, Any]]", error.response.get("CancellationReasons", [])
                )
                reasons = [
                    Reason(str(reason.get("Code", "None")), reason.get("Item"))
                    for reason in cancelled
                ]
                codes = {reason.code for reason in reasons} - {"None"}
                if codes and codes <= answerable:
                    return reasons
                if CONFLICT not in codes:
                    raise
            else:
                return None
        time.sleep(min(0.02 * 2**attempt, 0.5))
    raise StorageUnavailable(CONFLICT)
