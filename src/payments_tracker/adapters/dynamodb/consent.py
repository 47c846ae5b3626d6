"""Consent on DynamoDB: the current item `CONSENT` and one history item `CONSENT#<at>` per change.

Both items of a change are written in one TransactWriteItems, so the current consent and its history
never disagree; the same transaction checks the customer's erasure fence (`customer.py`). The
current item is the concurrency anchor: a change is written only if the current item is still the
one it replaces. `<at>` is a fixed-width UTC instant (microseconds), so the sort
key orders the history by time and a cut-off is a key range.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from payments_tracker.adapters.dynamodb.calls import storage_errors
from payments_tracker.adapters.dynamodb.customer import not_erased, transact
from payments_tracker.adapters.dynamodb.keys import user_key
from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE
from payments_tracker.domain.consent import ConsentChange
from payments_tracker.domain.timestamps import parse_utc_text, utc_text
from payments_tracker.service.ports import CustomerErased

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import PutTypeDef

Item = dict[str, Any]

_PK, _SK = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key
CURRENT_KEY = "CONSENT"
HISTORY_PREFIX = "CONSENT#"


def consent_instant(moment: datetime) -> str:
    """A fixed-width UTC instant, `2026-11-20T12:00:00.000000Z`: sorts as it reads."""
    if moment.tzinfo is None:
        raise ValueError("a consent instant must be timezone-aware")
    return utc_text(moment)


def history_key(changed_at: datetime) -> str:
    """The sort key of the history item of a change."""
    return f"{HISTORY_PREFIX}{consent_instant(changed_at)}"


def _attributes(user_id: UUID, change: ConsentChange) -> Item:
    item: Item = {
        "userId": {"S": str(user_id)},
        "creditFileSharing": {"BOOL": change.credit_file_sharing},
        "changedAt": {"S": consent_instant(change.changed_at)},
    }
    if change.terms_version is not None:
        item["termsVersion"] = {"S": change.terms_version}
    return item


def from_item(item: Item) -> ConsentChange:
    """The change stored in a current or history item."""
    terms = item.get("termsVersion")
    return ConsentChange(
        credit_file_sharing=item["creditFileSharing"]["BOOL"],
        terms_version=terms["S"] if terms else None,
        changed_at=parse_utc_text(item["changedAt"]["S"]),
    )


class DynamoDBConsentRepository:
    """ConsentRepository (and the report engine's ConsentLookup) on the `payments` table."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def history(self, user_id: UUID, limit: int) -> list[ConsentChange]:
        """Query the history items, newest first; the newest is the current consent."""
        return [
            from_item(item)
            for item in self._query_history(user_id, HISTORY_PREFIX, None, limit=limit)
        ]

    def record(self, user_id: UUID, change: ConsentChange, replaces: ConsentChange | None) -> bool:
        """One transaction: the current item (if still `replaces`) and a new history item."""
        owner = user_key(user_id)
        attributes = _attributes(user_id, change)
        current: dict[str, Any] = {
            "TableName": self._table,
            "Item": {
                _PK: {"S": owner},
                _SK: {"S": CURRENT_KEY},
                "type": {"S": "consent"},
                **attributes,
            },
        }
        if replaces is None:
            current["ConditionExpression"] = "attribute_not_exists(#pk)"
            current["ExpressionAttributeNames"] = {"#pk": _PK}
        else:
            current["ConditionExpression"] = "#changedAt = :replaces"
            current["ExpressionAttributeNames"] = {"#changedAt": "changedAt"}
            current["ExpressionAttributeValues"] = {
                ":replaces": {"S": consent_instant(replaces.changed_at)}
            }
        history = {
            "TableName": self._table,
            "Item": {
                _PK: {"S": owner},
                _SK: {"S": history_key(change.changed_at)},
                "type": {"S": "consent-change"},
                **attributes,
            },
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": _PK},
        }
        reasons = transact(
            self._client,
            [
                not_erased(self._table, user_id),
                {"Put": cast("PutTypeDef", current)},
                {"Put": cast("PutTypeDef", history)},
            ],
        )
        if reasons is None:
            return True
        if reasons[0].erased:
            raise CustomerErased
        return False  # another change came first

    def consent_standing_at(self, user_id: UUID, cutoff: datetime) -> bool:
        """The latest history item at or before `cutoff` (a key range, one item read)."""
        items = self._query_history(user_id, HISTORY_PREFIX, history_key(cutoff), limit=1)
        return bool(items) and from_item(items[0]).credit_file_sharing

    def _query_history(
        self, user_id: UUID, low: str, high: str | None, *, limit: int
    ) -> list[Item]:
        # Without an upper bound: every key that starts with `CONSENT#` (the bare `CONSENT`
        # current item sorts before them and is excluded by the `#` of the prefix).
        if high is None:
            condition = "#pk = :pk AND begins_with(#sk, :low)"
            values = {":pk": {"S": user_key(user_id)}, ":low": {"S": low}}
        else:
            condition = "#pk = :pk AND #sk BETWEEN :low AND :high"
            values = {
                ":pk": {"S": user_key(user_id)},
                ":low": {"S": low},
                ":high": {"S": high},
            }
        with storage_errors():
            response = self._client.query(
                TableName=self._table,
                KeyConditionExpression=condition,
                ExpressionAttributeNames={"#pk": _PK, "#sk": _SK},
                ExpressionAttributeValues=values,
                ScanIndexForward=False,
                Limit=limit,
                ConsistentRead=True,
            )
        return list(response.get("Items", []))
