"""The api function's dependencies come from the settings, and a missing cursor key stops it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from payments_tracker.composition import root
from payments_tracker.composition.settings import get_settings


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    root._api_from_settings.cache_clear()
    yield
    get_settings.cache_clear()
    root._api_from_settings.cache_clear()


def test_without_a_cursor_key_the_api_refuses_to_start_rather_than_use_a_guessable_one(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    monkeypatch.delenv("PAYMENTS_CURSOR_KEY", raising=False)

    with pytest.raises(RuntimeError, match="PAYMENTS_CURSOR_KEY"):
        root._api_from_settings()


def test_the_cursor_key_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    monkeypatch.setenv("PAYMENTS_CURSOR_KEY", "k" * 32)
    monkeypatch.setenv("PAYMENTS_DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:9")

    built = root._api_from_settings()

    assert built.cursors is not None
    assert type(built.payments).__name__ == "DynamoDBPaymentRepository"


def test_the_api_knows_when_each_month_closed_from_the_run_records(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    monkeypatch.setenv("PAYMENTS_CURSOR_KEY", "k" * 32)
    monkeypatch.setenv("PAYMENTS_DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:9")

    built = root._api_from_settings()

    assert type(built.closings).__name__ == "DynamoDBMonthClosings"
