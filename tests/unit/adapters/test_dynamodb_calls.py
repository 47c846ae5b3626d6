"""The shared DynamoDB call helpers (errors, conditions, batches) and the two instant forms."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from payments_tracker.adapters.dynamodb import calls
from payments_tracker.adapters.dynamodb.calls import (
    batch_write,
    conditional,
    error_name,
    storage_errors,
)
from payments_tracker.domain.timestamps import parse_utc_text, rfc3339_text, utc_text
from payments_tracker.service.ports import StorageUnavailable


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "x"}}, "PutItem")


def test_a_client_error_is_reported_by_its_code_or_by_name_if_asked() -> None:
    with pytest.raises(StorageUnavailable, match=r"^ThrottlingException$"), storage_errors():
        raise _client_error("ThrottlingException")
    with pytest.raises(StorageUnavailable, match=r"^ClientError$"), storage_errors(error_name):
        raise _client_error("ThrottlingException")
    with pytest.raises(StorageUnavailable, match=r"^EndpointConnectionError$"), storage_errors():
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")


def test_a_failed_condition_is_false_and_any_other_error_is_unavailable() -> None:
    def refuse(code: str) -> Any:
        def operation(**_: Any) -> None:
            raise _client_error(code)

        return operation

    assert conditional(lambda **_: None, TableName="t") is True
    assert conditional(refuse("ConditionalCheckFailedException"), TableName="t") is False
    with pytest.raises(StorageUnavailable, match=r"^InternalServerError$"):
        conditional(refuse("InternalServerError"), TableName="t")


class _Batches:
    """Leaves the last request of every call unprocessed `stubborn` times."""

    def __init__(self, stubborn: int) -> None:
        self.stubborn = stubborn
        self.calls: list[int] = []

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:  # noqa: N803
        requests = RequestItems["t"]
        self.calls.append(len(requests))
        if self.stubborn:
            self.stubborn -= 1
            return {"UnprocessedItems": {"t": requests[-1:]}}
        return {"UnprocessedItems": {}}


def test_batch_write_sends_batches_of_25_and_retries_what_is_unprocessed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    client: Any = _Batches(stubborn=2)
    requests: list[Any] = [{"DeleteRequest": {"Key": {"n": index}}} for index in range(30)]

    batch_write(client, "t", requests)

    assert client.calls == [25, 1, 1, 5]
    assert sleeps == [0.05, 0.1]


def test_batch_write_gives_up_after_bounded_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda _: None)
    client: Any = _Batches(stubborn=100)

    with pytest.raises(StorageUnavailable, match=r"^unprocessed-deletes$"):
        batch_write(client, "t", [{"DeleteRequest": {"Key": {}}}], gave_up="unprocessed-deletes")

    assert len(client.calls) == calls.BATCH_ROUNDS


def test_stored_instants_are_fixed_width_utc_and_read_back_exactly() -> None:
    moment = datetime(2026, 11, 3, 9, 30, tzinfo=timezone(timedelta(hours=1)))

    assert utc_text(moment) == "2026-11-03T08:30:00.000000Z"
    assert parse_utc_text(utc_text(moment)) == moment
    assert parse_utc_text(utc_text(moment)).tzinfo is UTC


def test_the_api_form_keeps_the_offset_and_drops_a_zero_fraction() -> None:
    assert rfc3339_text(datetime(2026, 11, 3, 8, 30, tzinfo=UTC)) == "2026-11-03T08:30:00Z"
    assert rfc3339_text(datetime(2026, 11, 3, 8, 30, 0, 5, tzinfo=UTC)) == (
        "2026-11-03T08:30:00.000005Z"
    )
