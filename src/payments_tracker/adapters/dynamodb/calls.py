"""Calling DynamoDB: botocore's errors become StorageUnavailable, in one place.

A ClientError is reported by its error code (`ThrottlingException`, ...), any other botocore error
by its type name. Conditional writes and batch writes, with their special cases, are here too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from payments_tracker.service.ports import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import WriteRequestTypeDef

CONDITION_FAILED = "ConditionalCheckFailedException"
BATCH_SIZE = 25
"""BatchWriteItem's limit."""
BATCH_ROUNDS = 8
"""BatchWriteItem calls per batch: the first, then retries of its unprocessed items with backoff."""


def error_code(error: ClientError) -> str:
    """The error code DynamoDB answered with, e.g. `ConditionalCheckFailedException`."""
    return str(error.response.get("Error", {}).get("Code", "ClientError"))


def error_name(error: Exception) -> str:
    """The error's type name (`ClientError`), for callers that report no DynamoDB code."""
    return type(error).__name__


@contextmanager
def storage_errors(reason: Callable[[ClientError], str] = error_code) -> Iterator[None]:
    """Raise StorageUnavailable for a botocore error in the block: `reason(error)` for a ClientError
    (its code by default), the type name for any other."""
    try:
        yield
    except ClientError as error:
        raise StorageUnavailable(reason(error)) from error
    except BotoCoreError as error:
        raise StorageUnavailable(error_name(error)) from error


def query_pages(client: DynamoDBClient, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item a Query answers, page after page, lazily (`request` is reused and changed)."""
    while True:
        with storage_errors():
            response = client.query(**request)
        yield from response.get("Items", [])
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        request["ExclusiveStartKey"] = last


def conditional(operation: Callable[..., object], /, **request: Any) -> bool:
    """Call a conditional write: False if its condition failed; other errors as `storage_errors`."""
    with storage_errors():
        try:
            operation(**request)
        except ClientError as error:
            if error_code(error) == CONDITION_FAILED:
                return False
            raise
    return True


def batch_write(
    client: DynamoDBClient,
    table: str,
    requests: Sequence[WriteRequestTypeDef],
    *,
    gave_up: str = "UnprocessedItems",
    reason: Callable[[ClientError], str] = error_code,
) -> None:
    """BatchWriteItem in batches of 25, in order, each retrying its unprocessed items with
    exponential backoff; StorageUnavailable(`gave_up`) if some are left after BATCH_ROUNDS calls.
    """
    for offset in range(0, len(requests), BATCH_SIZE):
        pending = list(requests[offset : offset + BATCH_SIZE])
        for round_number in range(BATCH_ROUNDS):
            with storage_errors(reason):
                response = client.batch_write_item(RequestItems={table: pending})
            unprocessed = response.get("UnprocessedItems", {}).get(table, [])
            pending = cast("list[WriteRequestTypeDef]", unprocessed)
            if not pending:
                break
            time.sleep(min(0.05 * 2**round_number, 2.0))
        else:
            raise StorageUnavailable(gave_up)
