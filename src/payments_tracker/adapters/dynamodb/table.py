"""The one definition of the `payments` table: read by the repository, the bootstrap and infra/.

Plain data, no boto3: `infra/` builds the CloudFormation table from it and the local bootstrap
builds the CreateTable request from it, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Index:
    """A secondary index: its name, key attributes (all strings) and an ALL projection."""

    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class TableDefinition:
    """Keys, indexes and the TTL attribute of the single-table design of docs/design.md §4."""

    partition_key: str = "PK"
    sort_key: str = "SK"
    local_indexes: tuple[Index, ...] = field(default_factory=tuple)
    global_indexes: tuple[Index, ...] = field(default_factory=tuple)
    ttl_attribute: str = "expiresAt"

    def key_attributes(self) -> list[str]:
        """Every attribute that is a key of the table or of an index, in a stable order."""
        names = [self.partition_key, self.sort_key]
        for index in (*self.local_indexes, *self.global_indexes):
            for name in (index.partition_key, index.sort_key):
                if name not in names:
                    names.append(name)
        return names

    def create_table_request(self, table_name: str) -> dict[str, Any]:
        """The DynamoDB CreateTable request (on-demand) for this definition."""
        return {
            "TableName": table_name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": "S"} for name in self.key_attributes()
            ],
            "KeySchema": [
                {"AttributeName": self.partition_key, "KeyType": "HASH"},
                {"AttributeName": self.sort_key, "KeyType": "RANGE"},
            ],
            "LocalSecondaryIndexes": [
                {
                    "IndexName": index.name,
                    "KeySchema": [
                        {"AttributeName": index.partition_key, "KeyType": "HASH"},
                        {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index in self.local_indexes
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": index.name,
                    "KeySchema": [
                        {"AttributeName": index.partition_key, "KeyType": "HASH"},
                        {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index in self.global_indexes
            ],
        }


BY_MONTH_TIME = Index(name="byMonthTime", partition_key="PK", sort_key="byMonthTimeSK")
"""LSI: a user's payments of a month, newest first: `<month>#<utcInstant>#<paymentId>`."""

BY_MONTH = Index(name="byMonth", partition_key="byMonthPK", sort_key="byMonthSK")
"""GSI for the monthly report: `MONTH#<month>#<shard>` / `<userId>#<utcInstant>#<paymentId>`."""

PAYMENTS_TABLE = TableDefinition(
    local_indexes=(BY_MONTH_TIME,),
    global_indexes=(BY_MONTH,),
)
