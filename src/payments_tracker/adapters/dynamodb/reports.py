"""The report engine on the `payments` table: the byMonth index, report items, run records.

Items (DESIGN §4): a report is `USER#<id>` / `REPORT#<month>`; a month's runs live under
`RUN#<month>`: `RUN` (the current run: id, cut-off, kind, handover), `SHARD#<nn>` and `MANIFEST`
for the original run, `CORRECTION#<runId>#SHARD#<nn>` and `CORRECTION#<runId>#MANIFEST` for
each correction run — so a correction never overwrites the original's records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from payments_tracker.adapters.dynamodb.calls import (
    BATCH_SIZE,
    batch_write,
    conditional,
    storage_errors,
)
from payments_tracker.adapters.dynamodb.consent import DynamoDBConsentRepository
from payments_tracker.adapters.dynamodb.keys import month_shard_key, report_key, user_key
from payments_tracker.adapters.dynamodb.repository import from_item
from payments_tracker.adapters.dynamodb.table import BY_MONTH, PAYMENTS_TABLE
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
from payments_tracker.service.report_ports import ExportSink, ReportPorts

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import WriteRequestTypeDef

Item = dict[str, Any]

_PK, _SK = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key
QUERY_PAGE_SIZE = 500
"""Items per byMonth page: each of a shard's 24 streams holds at most one page."""
REPORT_RETENTION_MONTHS = 72
"""Reports are kept 6 years (DESIGN §8)."""


def run_key(month: Month) -> str:
    """The partition key of a month's run records."""
    return f"RUN#{month}"


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
        while True:
            with storage_errors():
                response = self._client.query(**request)
            for item in response.get("Items", []):
                yield from_item(item)
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            request["ExclusiveStartKey"] = last


class DynamoDBReportStore:
    """ReportStore on the table: puts and deletes in batches of 25 (BatchWriteItem)."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name
        self._pending: list[WriteRequestTypeDef] = []

    def save_report(self, report: UserReport, run_id: str) -> None:
        """Queue the report item; it is written with the next full batch or `flush`."""
        expires = report.month.plus(1 + REPORT_RETENTION_MONTHS).start_utc()
        item: Item = {
            _PK: {"S": user_key(report.user_id)},
            _SK: {"S": report_key(report.month)},
            "type": {"S": "report"},
            "month": {"S": str(report.month)},
            "userId": {"S": str(report.user_id)},
            "generatedAt": {"S": utc_text(report.generated_at)},
            "runId": {"S": run_id},
            "document": {"S": report.document_json()},
            PAYMENTS_TABLE.ttl_attribute: {"N": str(int(expires.timestamp()))},
        }
        self._queue({"PutRequest": {"Item": item}})

    def delete_report(self, user_id: UUID, month: Month) -> None:
        """Queue the deletion of a stale report."""
        key = {_PK: {"S": user_key(user_id)}, _SK: {"S": report_key(month)}}
        self._queue({"DeleteRequest": {"Key": key}})

    def flush(self) -> None:
        """Write every queued request, retrying unprocessed ones with backoff."""
        while self._pending:
            batch, self._pending = self._pending[:BATCH_SIZE], self._pending[BATCH_SIZE:]
            batch_write(self._client, self._table, batch)

    def _queue(self, request: WriteRequestTypeDef) -> None:
        self._pending.append(request)
        if len(self._pending) >= BATCH_SIZE:
            self.flush()


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
        with storage_errors():
            self._client.put_item(TableName=self._table, Item=item)

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
}


def _counts(outcome: ShardOutcome) -> dict[str, int]:
    return {name: int(getattr(outcome, field)) for name, field in _COUNT_ATTRIBUTES.items()}


def _outcome(item: Item) -> ShardOutcome:
    counts = {field: int(item[name]["N"]) for name, field in _COUNT_ATTRIBUTES.items()}
    error = item.get("error")
    sha = item.get("sha256")
    return ShardOutcome(
        shard=int(item["shard"]["N"]),
        run_id=item["runId"]["S"],
        state=ShardState(item["status"]["S"]),
        sha256=sha["S"] if sha else "",
        error=error["S"] if error else None,
        **counts,
    )


def report_ports(client: DynamoDBClient, table_name: str, exports: ExportSink) -> ReportPorts:
    """The report engine's ports on one table (payments, reports, consent, runs) and a sink."""
    return ReportPorts(
        payments=DynamoDBShardPayments(client, table_name),
        reports=DynamoDBReportStore(client, table_name),
        consent=DynamoDBConsentRepository(client, table_name),
        runs=DynamoDBReportRuns(client, table_name),
        exports=exports,
    )
