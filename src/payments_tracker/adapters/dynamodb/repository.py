"""The payment repository on DynamoDB: the only code that knows the item layout of
docs/design.md §4."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from payments_tracker.adapters.dynamodb.calls import query_pages, storage_errors
from payments_tracker.adapters.dynamodb.customer import not_erased, slot_in_month, transact
from payments_tracker.adapters.dynamodb.keys import month_shard_key, payment_key, user_key
from payments_tracker.adapters.dynamodb.table import BY_MONTH, BY_MONTH_TIME, PAYMENTS_TABLE
from payments_tracker.domain.errors import MonthlyLimitReached
from payments_tracker.domain.money import Money
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import (
    MONTHLY_PAYMENT_LIMIT,
    Payment,
    PaymentStatus,
    Submission,
    Voiding,
)
from payments_tracker.domain.sharding import shard_of
from payments_tracker.domain.timestamps import (
    Timestamp,
    parse_timestamp,
    parse_utc_text,
    utc_text,
)
from payments_tracker.service.ports import CustomerErased, Page, PageKey, StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

Item = dict[str, Any]

_PK, _SK = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key


def to_item(payment: Payment) -> Item:
    """The DynamoDB item (attribute-value form) of a payment."""
    submission = payment.submission
    month, instant = str(submission.month), submission.timestamp.utc_instant()
    shard = month_shard_key(submission.month, shard_of(submission.user_id))
    item: Item = {
        _PK: {"S": user_key(submission.user_id)},
        _SK: {"S": payment_key(submission.payment_id)},
        BY_MONTH_TIME.sort_key: {"S": f"{month}#{instant}#{submission.payment_id}"},
        BY_MONTH.partition_key: {"S": shard},
        BY_MONTH.sort_key: {"S": f"{submission.user_id}#{instant}#{submission.payment_id}"},
        "type": {"S": "payment"},
        "paymentId": {"S": str(submission.payment_id)},
        "userId": {"S": str(submission.user_id)},
        "timestamp": {"S": submission.timestamp.text},
        "utcInstant": {"S": instant},
        "month": {"S": month},
        "description": {"S": submission.description},
        "currency": {"S": submission.money.currency},
        "amount": {"S": submission.money.canonical()},
        # A Number copy for ad-hoc analytics; DynamoDB trims its zeros, so the string is the truth.
        "amountNumber": {"N": submission.money.canonical()},
        "receivedAt": {"S": utc_text(payment.received_at)},
        "status": {"S": payment.status.value},
        PAYMENTS_TABLE.ttl_attribute: {"N": str(int(payment.expires_at.timestamp()))},
    }
    if payment.voiding is not None:
        item["voidedBy"] = {"S": payment.voiding.voided_by}
        item["voidedAt"] = {"S": utc_text(payment.voiding.voided_at)}
        item["voidedAfterMonthClosed"] = {"BOOL": payment.voiding.after_month_closed}
        if payment.voiding.reason is not None:
            item["voidReason"] = {"S": payment.voiding.reason}
    return item


def from_item(item: Item) -> Payment:
    """The payment stored in a DynamoDB item."""
    text = item["timestamp"]["S"]
    submission = Submission(
        payment_id=UUID(item["paymentId"]["S"]),
        user_id=UUID(item["userId"]["S"]),
        timestamp=Timestamp(text, parse_timestamp(text)),
        description=item["description"]["S"],
        money=Money(Decimal(item["amount"]["S"]), item["currency"]["S"]),
    )
    voiding = None
    if "voidedAt" in item:
        voiding = Voiding(
            voided_by=item["voidedBy"]["S"],
            voided_at=parse_utc_text(item["voidedAt"]["S"]),
            after_month_closed=item["voidedAfterMonthClosed"]["BOOL"],
            reason=item["voidReason"]["S"] if "voidReason" in item else None,
        )
    return Payment(
        submission=submission,
        received_at=parse_utc_text(item["receivedAt"]["S"]),
        status=PaymentStatus(item["status"]["S"]),
        voiding=voiding,
    )


class DynamoDBPaymentRepository:
    """PaymentRepository on the `payments` table."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def insert(self, payment: Payment) -> Payment | None:
        """One transaction: a slot in the month (customer item) and the payment's conditional put.

        On a taken key, the stored payment (returned by the failed condition). The limit and the
        erasure fence are conditions of the same transaction (adapters/dynamodb/customer.py).
        """
        submission = payment.submission
        reasons = transact(
            self._client,
            [
                slot_in_month(
                    self._table, submission.user_id, submission.month, MONTHLY_PAYMENT_LIMIT
                ),
                cast(
                    "TransactWriteItemTypeDef",
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item(payment),
                            "ConditionExpression": "attribute_not_exists(#pk)",
                            "ExpressionAttributeNames": {"#pk": _PK},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                ),
            ],
        )
        if reasons is None:
            return None
        slot, put = reasons
        if slot.erased:
            raise CustomerErased
        if put.condition_failed and put.item:
            return from_item(put.item)
        # The slot's condition failed; a replay of a stored payment still answers as a replay.
        existing = self.get(submission.user_id, submission.payment_id)
        if existing is not None:
            return existing
        if slot.condition_failed:
            raise MonthlyLimitReached(str(submission.month), MONTHLY_PAYMENT_LIMIT)
        raise StorageUnavailable("conflict-without-item")  # pragma: no cover - vanished between

    def get(self, user_id: UUID, payment_id: UUID) -> Payment | None:
        """A strongly consistent GetItem keyed by the owner."""
        with storage_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key={_PK: {"S": user_key(user_id)}, _SK: {"S": payment_key(payment_id)}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        return from_item(item) if item else None

    def replace_active(self, payment: Payment) -> bool:
        """A put conditioned on the stored payment still being active, in one transaction with
        the check that its owner was not erased."""
        reasons = transact(
            self._client,
            [
                not_erased(self._table, payment.submission.user_id),
                cast(
                    "TransactWriteItemTypeDef",
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item(payment),
                            "ConditionExpression": "attribute_exists(#pk) AND #status = :active",
                            "ExpressionAttributeNames": {"#pk": _PK, "#status": "status"},
                            "ExpressionAttributeValues": {
                                ":active": {"S": PaymentStatus.ACTIVE.value}
                            },
                        }
                    },
                ),
            ],
        )
        if reasons is None:
            return True
        if reasons[0].erased:
            raise CustomerErased
        return False

    def list_month(self, user_id: UUID, month: Month, limit: int, start: PageKey | None) -> Page:
        """Query `byMonthTime` with `begins_with(<month>#)`, newest first."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_MONTH_TIME.name,
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :month)",
            "ExpressionAttributeNames": {"#pk": _PK, "#sk": BY_MONTH_TIME.sort_key},
            "ExpressionAttributeValues": {
                ":pk": {"S": user_key(user_id)},
                ":month": {"S": f"{month}#"},
            },
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start is not None:
            request["ExclusiveStartKey"] = {name: {"S": value} for name, value in start.items()}
        with storage_errors():
            response = self._client.query(**request)
        payments = [from_item(item) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        next_key = {name: value["S"] for name, value in last.items()} if last else None
        return Page(payments, next_key)

    def payments_between(self, user_id: UUID, first: Month, last: Month) -> list[Payment]:
        """Every payment of the customer dated in `first`..`last` (their own offset), oldest
        first: `byMonthTime` between `<first>#` and `<last>#~`, every page."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_MONTH_TIME.name,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#pk": _PK, "#sk": BY_MONTH_TIME.sort_key},
            "ExpressionAttributeValues": {
                ":pk": {"S": user_key(user_id)},
                ":low": {"S": f"{first}#"},
                ":high": {"S": f"{last}#~"},
            },
            "ScanIndexForward": True,
        }
        return [from_item(item) for item in query_pages(self._client, request)]
