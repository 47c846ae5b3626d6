"""The report engine on the `payments` table: the byMonth index, report items, run records.

Items (docs/design.md §4): a report is `USER#<id>` / `REPORT#<month>`; a month's runs live under
`RUN#<month>`: `RUN` (the current run: id, cut-off, kind, handover), `SHARD#<nn>` and `MANIFEST`
for the original run, `CORRECTION#<runId>#SHARD#<nn>` and `CORRECTION#<runId>#MANIFEST` for
each correction run — so a correction never overwrites the original's records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from payments_tracker.adapters.dynamodb.calls import (
    batch_write,
    conditional,
    query_pages,
    storage_errors,
)
from payments_tracker.adapters.dynamodb.corrections import shard_corrections
from payments_tracker.adapters.dynamodb.customer import (
    CONDITION_FAILED,
    ITEM_INVALID,
    not_erased,
    transact,
)
from payments_tracker.adapters.dynamodb.keys import month_shard_key, report_key, run_key, user_key
from payments_tracker.adapters.dynamodb.report_documents import (
    CHUNKS_ATTRIBUTE,
    DATA_ATTRIBUTE,
    DIGEST_ATTRIBUTE,
    DOCUMENT_ATTRIBUTE,
    chunk_key,
    encode_document,
)
from payments_tracker.adapters.dynamodb.repository import from_item
from payments_tracker.adapters.dynamodb.table import BY_MONTH, PAYMENTS_TABLE
from payments_tracker.domain.corrections import Correction
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from payments_tracker.domain.report import UserReport
from payments_tracker.domain.report_run import (
    Manifest,
    Run,
    RunKind,
    ShardOutcome,
    ShardState,
)
from payments_tracker.domain.timestamps import parse_utc_text, utc_text
from payments_tracker.service.ports import StorageUnavailable
from payments_tracker.service.report_ports import SavedReports

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

Item = dict[str, Any]

_PK, _SK = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key
QUERY_PAGE_SIZE = 500
"""Items per byMonth page: each of a shard's 26 monthly streams (and its
corrections stream) holds at most one page."""
REPORT_RETENTION_MONTHS = 72
"""Reports are kept 6 years (docs/design.md §8)."""


def _records_prefix(run: Run) -> str:
    if run.kind is RunKind.CORRECTION:
        return f"CORRECTION#{run.run_id}#"
    return ""


class DynamoDBShardPayments:
    """ShardPayments on the `byMonth` index: one paginated query per month and shard."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def payments_of(self, month: Month, shard: int) -> Iterator[Payment]:
        """Query `MONTH#<month>#<nn>` in index order (`<userId>#<utcInstant>#<paymentId>`)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_MONTH.name,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": BY_MONTH.partition_key},
            "ExpressionAttributeValues": {":pk": {"S": month_shard_key(month, shard)}},
            "ScanIndexForward": True,
            "Limit": QUERY_PAGE_SIZE,
        }
        for item in query_pages(self._client, request):
            yield from_item(item)

    def corrections_of(self, shard: int) -> Iterator[Correction]:
        """Query `CORRECTIONS#<nn>` in index order (`<userId>#<at>#<commitmentId>`)."""
        return shard_corrections(self._client, self._table, shard)


TRANSACTION_ACTIONS = 100
"""TransactWriteItems' limit on actions per call."""
TRANSACTION_BYTES = 3_500_000
"""Stored bytes per call, below TransactWriteItems' 4 MB."""


class ReportTooLarge(Exception):
    """A report whose stored form would not fit one atomic write (a customer's, not the run's)."""


class DynamoDBReportStore:
    """ReportStore on the table: each report written in a transaction with its owner's erasure
    fence (many reports per call); stale reports deleted in batches of 25 (BatchWriteItem)."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def save_reports(self, reports: Sequence[UserReport], run_id: str) -> SavedReports:
        """Write the reports in as few transactions as the limits allow; an erased customer's
        report is left out (its fence check fails) and the rest written again."""
        failed: set[UUID] = set()
        writes: list[tuple[UUID, list[TransactWriteItemTypeDef], int]] = []
        for report in reports:
            try:
                writes.append(self._report_write(report, run_id))
            except ReportTooLarge:
                failed.add(report.user_id)
        erased: set[UUID] = set()
        group: list[tuple[UUID, list[TransactWriteItemTypeDef], int]] = []
        for write in writes:
            actions = sum(len(items) for _, items, _ in group) + len(write[1])
            size = sum(size for _, _, size in group) + write[2]
            if group and (actions > TRANSACTION_ACTIONS or size > TRANSACTION_BYTES):
                erased |= self._write_group(group, failed)
                group = []
            group.append(write)
        if group:
            erased |= self._write_group(group, failed)
        return SavedReports(erased=frozenset(erased), failed=frozenset(failed))

    def _write_group(
        self, group: list[tuple[UUID, list[TransactWriteItemTypeDef], int]], failed: set[UUID]
    ) -> set[UUID]:
        erased: set[UUID] = set()
        while group:
            items = [item for _, user_items, _ in group for item in user_items]
            try:
                reasons = transact(
                    self._client, items, answerable=frozenset({CONDITION_FAILED, ITEM_INVALID})
                )
            except StorageUnavailable as error:
                if str(error) != "ValidationException":
                    raise
                if len(group) == 1:
                    failed.add(group[0][0])  # this customer's items are refused
                    return erased
                # One customer's items are refused: write each customer alone to find whose.
                for single in group:
                    erased |= self._write_group([single], failed)
                return erased
            if reasons is None:
                return erased
            if len(reasons) != len(items):
                raise StorageUnavailable("cancellation-reasons-unread")
            position, remaining = 0, []
            for write in group:
                own = reasons[position : position + len(write[1])]
                position += len(write[1])
                if own[0].erased:  # the fence check comes first in each customer's items
                    erased.add(write[0])
                elif any(reason.code == ITEM_INVALID for reason in own):
                    failed.add(write[0])  # this customer's report is refused: skipped, listed
                else:
                    remaining.append(write)
            if len(remaining) == len(group):  # pragma: no cover - a report's own put has no
                raise StorageUnavailable("report-write-refused")  # condition that can fail
            group = remaining
        return erased

    def _report_write(
        self, report: UserReport, run_id: str
    ) -> tuple[UUID, list[TransactWriteItemTypeDef], int]:
        expires = report.month.plus(1 + REPORT_RETENTION_MONTHS).start_utc()
        ttl = {"N": str(int(expires.timestamp()))}
        owner = {"S": user_key(report.user_id)}
        encoded = encode_document(report.document_json())
        if encoded.stored_bytes > TRANSACTION_BYTES:
            raise ReportTooLarge
        item: Item = {
            _PK: owner,
            _SK: {"S": report_key(report.month)},
            "type": {"S": "report"},
            "month": {"S": str(report.month)},
            "userId": {"S": str(report.user_id)},
            "generatedAt": {"S": utc_text(report.generated_at)},
            "runId": {"S": run_id},
            PAYMENTS_TABLE.ttl_attribute: ttl,
        }
        if encoded.inline is not None:
            item[DOCUMENT_ATTRIBUTE] = {"S": encoded.inline}
        else:
            item[CHUNKS_ATTRIBUTE] = {"N": str(len(encoded.chunks))}
            item[DIGEST_ATTRIBUTE] = {"S": encoded.sha256}
        items: list[TransactWriteItemTypeDef] = [
            not_erased(self._table, report.user_id),
            {"Put": {"TableName": self._table, "Item": item}},
        ]
        for index, chunk in enumerate(encoded.chunks):
            chunk_item: Item = {
                _PK: owner,
                _SK: {"S": chunk_key(report.month, index)},
                "type": {"S": "report-chunk"},
                DATA_ATTRIBUTE: {"B": chunk},
                PAYMENTS_TABLE.ttl_attribute: ttl,
            }
            items.append({"Put": {"TableName": self._table, "Item": chunk_item}})
        if len(items) > TRANSACTION_ACTIONS:
            raise ReportTooLarge
        return report.user_id, items, encoded.stored_bytes

    def delete_report(self, user_id: UUID, month: Month) -> None:
        """Delete the customer's stale report of `month` and its chunks, now (a keys-only query
        of `REPORT#<month>…`, then batch deletes): nothing waits in memory across invocations."""
        with storage_errors():
            response = self._client.query(
                TableName=self._table,
                KeyConditionExpression="#pk = :pk AND begins_with(#sk, :report)",
                ExpressionAttributeNames={"#pk": _PK, "#sk": _SK},
                ExpressionAttributeValues={
                    ":pk": {"S": user_key(user_id)},
                    ":report": {"S": report_key(month)},
                },
                ProjectionExpression="#pk, #sk",
                ConsistentRead=True,
            )
        keys = [{_PK: item[_PK], _SK: item[_SK]} for item in response.get("Items", [])]
        batch_write(self._client, self._table, [{"DeleteRequest": {"Key": key}} for key in keys])


class DynamoDBReportRuns:
    """ReportRuns on the table, under `RUN#<month>`."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def current_run(self, month: Month) -> Run | None:
        """A consistent GetItem of `RUN#<month>` / `RUN`."""
        with storage_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key={_PK: {"S": run_key(month)}, _SK: {"S": "RUN"}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        if not item:
            return None
        handed = item.get("handedOverAt")
        original = item.get("originalRunId")
        return Run(
            month=month,
            run_id=item["runId"]["S"],
            cutoff=parse_utc_text(item["cutoff"]["S"]),
            kind=RunKind(item["kind"]["S"]),
            original_run_id=original["S"] if original else None,
            handed_over_at=parse_utc_text(handed["S"]) if handed else None,
            manifest_written=item["manifestWritten"]["BOOL"],
        )

    def start_run(self, run: Run, replaces: Run | None) -> bool:
        """A PutItem conditioned on the current run being `replaces` (or on there being none)."""
        item: Item = {
            _PK: {"S": run_key(run.month)},
            _SK: {"S": "RUN"},
            "type": {"S": "report-run"},
            "month": {"S": str(run.month)},
            "runId": {"S": run.run_id},
            "cutoff": {"S": utc_text(run.cutoff)},
            "kind": {"S": run.kind.value},
            "manifestWritten": {"BOOL": run.manifest_written},
        }
        if run.original_run_id is not None:
            item["originalRunId"] = {"S": run.original_run_id}
        if run.handed_over_at is not None:
            item["handedOverAt"] = {"S": utc_text(run.handed_over_at)}
        request: dict[str, Any] = {"TableName": self._table, "Item": item}
        if replaces is None:
            request["ConditionExpression"] = "attribute_not_exists(#pk)"
            request["ExpressionAttributeNames"] = {"#pk": _PK}
        else:
            request["ConditionExpression"] = "#runId = :previous"
            request["ExpressionAttributeNames"] = {"#runId": "runId"}
            request["ExpressionAttributeValues"] = {":previous": {"S": replaces.run_id}}
        return conditional(self._client.put_item, **request)

    def record_shard(self, run: Run, outcome: ShardOutcome) -> None:
        """Put the shard's record (counts, part hash; the error's type name if it failed)."""
        item: Item = {
            _PK: {"S": run_key(run.month)},
            _SK: {"S": f"{_records_prefix(run)}SHARD#{outcome.shard:02d}"},
            "type": {"S": "report-shard"},
            "runId": {"S": outcome.run_id},
            "cutoff": {"S": utc_text(run.cutoff)},
            "shard": {"N": str(outcome.shard)},
            "status": {"S": outcome.state.value},
            "recordedAt": {"S": utc_text(datetime.now(UTC))},
        }
        for name, value in _counts(outcome).items():
            item[name] = {"N": str(value)}
        if outcome.state is ShardState.DONE:
            item["part"] = {"S": run.part_key(outcome.shard)}
            item["sha256"] = {"S": outcome.sha256}
        if outcome.error is not None:
            item["error"] = {"S": outcome.error}
        if outcome.started_at is not None:
            item["startedAt"] = {"S": utc_text(outcome.started_at)}
        item["failedUsers"] = {"L": [{"S": user} for user in outcome.failed_users]}
        with storage_errors():
            self._client.put_item(TableName=self._table, Item=item)

    def claim_upload(self, run: Run) -> bool:
        """Touch the run record on the condition that `run` is current and may still write."""
        return conditional(
            self._client.update_item,
            TableName=self._table,
            Key={_PK: {"S": run_key(run.month)}, _SK: {"S": "RUN"}},
            UpdateExpression="SET #uploaded = :now",
            ConditionExpression=(
                "#runId = :run AND (attribute_not_exists(#handed) OR "
                "(#kind = :correction AND #written = :false))"
            ),
            ExpressionAttributeNames={
                "#uploaded": "lastUploadAt",
                "#runId": "runId",
                "#handed": "handedOverAt",
                "#kind": "kind",
                "#written": "manifestWritten",
            },
            ExpressionAttributeValues={
                ":now": {"S": utc_text(datetime.now(UTC))},
                ":run": {"S": run.run_id},
                ":correction": {"S": RunKind.CORRECTION.value},
                ":false": {"BOOL": False},
            },
        )

    def shard_outcomes(self, run: Run) -> list[ShardOutcome]:
        """A consistent Query of the run's `SHARD#` records."""
        with storage_errors():
            response = self._client.query(
                TableName=self._table,
                KeyConditionExpression="#pk = :pk AND begins_with(#sk, :prefix)",
                ExpressionAttributeNames={"#pk": _PK, "#sk": _SK},
                ExpressionAttributeValues={
                    ":pk": {"S": run_key(run.month)},
                    ":prefix": {"S": f"{_records_prefix(run)}SHARD#"},
                },
                ConsistentRead=True,
            )
        return [_outcome(item) for item in response.get("Items", [])]

    def record_manifest(self, run: Run, manifest: Manifest) -> None:
        """Put the manifest record, then mark the run's manifest written (if still current)."""
        with storage_errors():
            self._client.put_item(
                TableName=self._table,
                Item={
                    _PK: {"S": run_key(run.month)},
                    _SK: {"S": f"{_records_prefix(run)}MANIFEST"},
                    "type": {"S": "report-manifest"},
                    "runId": {"S": run.run_id},
                    "key": {"S": run.manifest_key},
                    "document": {"S": json.dumps(manifest.document(), separators=(",", ":"))},
                    "recordedAt": {"S": utc_text(datetime.now(UTC))},
                },
            )
        conditional(
            self._client.update_item,
            TableName=self._table,
            Key={_PK: {"S": run_key(run.month)}, _SK: {"S": "RUN"}},
            UpdateExpression="SET #written = :true",
            ConditionExpression="#runId = :run",
            ExpressionAttributeNames={"#written": "manifestWritten", "#runId": "runId"},
            ExpressionAttributeValues={":true": {"BOOL": True}, ":run": {"S": run.run_id}},
        )

    def manifest_hashes(self, run: Run) -> dict[int, str] | None:
        """The part hashes of the recorded manifest of `run`."""
        with storage_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key={_PK: {"S": run_key(run.month)}, _SK: {"S": f"{_records_prefix(run)}MANIFEST"}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        if not item or item["runId"]["S"] != run.run_id:
            return None
        document = json.loads(item["document"]["S"])
        return {int(part["shard"]): str(part["sha256"]) for part in document["parts"]}

    def mark_handed_over(self, run: Run, at: datetime) -> bool:
        """Set `handedOverAt` if `run` is still current, complete and not handed over."""
        return conditional(
            self._client.update_item,
            TableName=self._table,
            Key={_PK: {"S": run_key(run.month)}, _SK: {"S": "RUN"}},
            UpdateExpression="SET #handed = :at",
            ConditionExpression=(
                "#runId = :run AND #written = :true AND attribute_not_exists(#handed)"
            ),
            ExpressionAttributeNames={
                "#handed": "handedOverAt",
                "#runId": "runId",
                "#written": "manifestWritten",
            },
            ExpressionAttributeValues={
                ":at": {"S": utc_text(at)},
                ":run": {"S": run.run_id},
                ":true": {"BOOL": True},
            },
        )


_COUNT_ATTRIBUTES = {
    "users": "users",
    "staleReportsDeleted": "stale_reports_deleted",
    "commitments": "commitments",
    "kept": "kept",
    "lapsed": "lapsed",
    "ended": "ended",
    "rows": "rows",
    "partBytes": "part_bytes",
    "erasedSkipped": "erased_skipped",
}


def _counts(outcome: ShardOutcome) -> dict[str, int]:
    return {name: int(getattr(outcome, field)) for name, field in _COUNT_ATTRIBUTES.items()}


def _outcome(item: Item) -> ShardOutcome:
    counts = {
        field: int(item[name]["N"]) if name in item else 0
        for name, field in _COUNT_ATTRIBUTES.items()
    }
    error = item.get("error")
    sha = item.get("sha256")
    started = item.get("startedAt")
    failed = item.get("failedUsers", {}).get("L", [])
    return ShardOutcome(
        shard=int(item["shard"]["N"]),
        run_id=item["runId"]["S"],
        state=ShardState(item["status"]["S"]),
        sha256=sha["S"] if sha else "",
        error=error["S"] if error else None,
        started_at=parse_utc_text(started["S"]) if started else None,
        failed_users=tuple(user["S"] for user in failed),
        users=counts["users"],
        stale_reports_deleted=counts["stale_reports_deleted"],
        commitments=counts["commitments"],
        kept=counts["kept"],
        lapsed=counts["lapsed"],
        ended=counts["ended"],
        rows=counts["rows"],
        part_bytes=counts["part_bytes"],
        erased_skipped=counts["erased_skipped"],
    )
