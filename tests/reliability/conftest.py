"""Fixtures of the reliability tests (issue 6): a caller and an HTTP client of the gateway."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import CognitoLocal, CognitoUser


@pytest.fixture(scope="module")
def caller(cognito: CognitoLocal) -> CognitoUser:
    """A signed-up, logged-in user of the session's pool."""
    return cognito.create_user()


@pytest.fixture(scope="module")
def http(gateway_url: str) -> Iterator[httpx.Client]:
    """An HTTP client on the session's local gateway (127.0.0.1)."""
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        yield client
