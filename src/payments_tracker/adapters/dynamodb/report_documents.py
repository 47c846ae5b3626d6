"""A customer's monthly report item (`USER#<id>` / `REPORT#<month>`): how it is stored and read.

A report document is compact JSON. Up to `INLINE_MAX_BYTES` it is the item's `document` string;
a larger one (a customer with many distinct commitments) is gzip-compressed and split into
chunk items `REPORT#<month>#CHUNK#<nnn>` of at most `CHUNK_BYTES` each, and the report item
records how many and the SHA-256 of the compressed bytes. DynamoDB's 400 KB item limit then
never stops a report from being stored: the monthly limit bounds the document (`MAX_REPORT_BYTES`
in domain/report.py), and the writer checks the bound. Chunks of an earlier, larger document of
the same month may remain past the count the report item names: they are never read, expire with
the report and are deleted with the customer.
"""

from __future__ import annotations

import gzip
import hashlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from payments_tracker.adapters.dynamodb.calls import storage_errors
from payments_tracker.adapters.dynamodb.keys import report_key, user_key
from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE
from payments_tracker.domain.months import Month
from payments_tracker.service.ports import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_PK, _SK = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key
DOCUMENT_ATTRIBUTE = "document"
"""The report as JSON text, written by the report engine and served as is."""
CHUNKS_ATTRIBUTE = "documentChunks"
DIGEST_ATTRIBUTE = "documentSha256"
DATA_ATTRIBUTE = "data"
INLINE_MAX_BYTES = 300_000
"""The largest document kept in the report item itself (DynamoDB's item limit is 400 KB)."""
CHUNK_BYTES = 300_000
"""The largest piece of compressed document in one chunk item."""
GZIP_LEVEL = 6
_READ_ROUNDS = 6


def chunk_key(month: Month, index: int) -> str:
    """The sort key of one chunk of a large report."""
    return f"{report_key(month)}#CHUNK#{index:03d}"


@dataclass(frozen=True)
class EncodedDocument:
    """A document as the table stores it: inline text, or compressed chunks and their digest."""

    inline: str | None
    chunks: tuple[bytes, ...] = ()
    sha256: str = ""

    @property
    def stored_bytes(self) -> int:
        """What the document takes in the table (for bounding one write)."""
        if self.inline is not None:
            return len(self.inline.encode("utf-8"))
        return sum(len(chunk) for chunk in self.chunks)


def encode_document(text: str) -> EncodedDocument:
    """Inline up to `INLINE_MAX_BYTES`, else gzip (deterministic: no name, no time) in chunks."""
    raw = text.encode("utf-8")
    if len(raw) <= INLINE_MAX_BYTES:
        return EncodedDocument(text)
    packed = gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0)
    chunks = tuple(packed[i : i + CHUNK_BYTES] for i in range(0, len(packed), CHUNK_BYTES))
    return EncodedDocument(None, chunks, hashlib.sha256(packed).hexdigest())


def decode_chunks(chunks: list[bytes], sha256: str) -> str | None:
    """The document of its chunks, or None when they do not match the digest (being rewritten)."""
    packed = b"".join(chunks)
    if hashlib.sha256(packed).hexdigest() != sha256:
        return None
    return gzip.decompress(packed).decode("utf-8")


class DynamoDBReportDocuments:
    """ReportDocuments on the `payments` table: one GetItem keyed by the owner (and one
    BatchGetItem for a large report's chunks)."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def month_report(self, user_id: UUID, month: Month) -> str | None:
        """The owner's report of `month` as stored, or None if there is none."""
        with storage_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key={_PK: {"S": user_key(user_id)}, _SK: {"S": report_key(month)}},
                ProjectionExpression="#document, #chunks, #digest",
                ExpressionAttributeNames={
                    "#document": DOCUMENT_ATTRIBUTE,
                    "#chunks": CHUNKS_ATTRIBUTE,
                    "#digest": DIGEST_ATTRIBUTE,
                },
                ConsistentRead=True,
            )
        item = response.get("Item")
        if not item:
            return None
        if DOCUMENT_ATTRIBUTE in item:
            return item[DOCUMENT_ATTRIBUTE]["S"]
        if CHUNKS_ATTRIBUTE not in item:
            return None
        count = int(item[CHUNKS_ATTRIBUTE]["N"])
        chunks = self._chunks(user_id, month, count)
        document = decode_chunks(chunks, item[DIGEST_ATTRIBUTE]["S"])
        if document is None:
            # Read while a rebuild replaced the chunks: the next read sees one whole version.
            raise StorageUnavailable("report-being-rewritten")
        return document

    def _chunks(self, user_id: UUID, month: Month, count: int) -> list[bytes]:
        owner = user_key(user_id)
        wanted = {chunk_key(month, index) for index in range(count)}
        found: dict[str, bytes] = {}
        keys: list[dict[str, Any]] = [
            {_PK: {"S": owner}, _SK: {"S": key}} for key in sorted(wanted)
        ]
        for round_number in range(_READ_ROUNDS):
            if not keys:
                break
            batch, rest = keys[:100], keys[100:]
            with storage_errors():
                response = self._client.batch_get_item(
                    RequestItems={self._table: {"Keys": batch, "ConsistentRead": True}}
                )
            for chunk in response.get("Responses", {}).get(self._table, []):
                found[chunk[_SK]["S"]] = bytes(chunk[DATA_ATTRIBUTE]["B"])
            unprocessed_keys = cast("dict[str, Any]", response.get("UnprocessedKeys", {}))
            unprocessed = list(unprocessed_keys.get(self._table, {}).get("Keys", []))
            keys = [*unprocessed, *rest]
            if unprocessed:
                time.sleep(min(0.05 * 2**round_number, 1.0))
        if set(found) != wanted:
            raise StorageUnavailable("report-chunks-unread")
        return [found[key] for key in sorted(wanted)]
