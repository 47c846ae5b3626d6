"""API v1 over HTTP, as a client calls it: the CLI's only way to the API."""

from __future__ import annotations

import json
from typing import Any, Final

import httpx

HTTP_TIMEOUT_SECONDS: Final = 35.0
"""A little over API Gateway's 29 s integration timeout."""


class ApiUnreachable(Exception):
    """No answer from the API (connection refused, timeout); the message names the error type."""


class ApiProblem(Exception):
    """The API answered an error: its status and problem document (or the text it sent)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.problem = problem


class HttpApi:
    """Bearer-authenticated JSON requests to one API base URL."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: object = None
    ) -> Any:
        """The JSON answer of a 2xx (None when empty); ApiProblem or ApiUnreachable otherwise."""
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body).encode("utf-8")
        try:
            response = httpx.request(
                method,
                f"{self.base_url}{path}",
                params=params,
                headers=headers,
                content=content,
                timeout=HTTP_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as error:
            raise ApiUnreachable(type(error).__name__) from None
        if response.is_success:
            return response.json() if response.content else None
        try:
            problem = response.json()
        except ValueError:
            problem = {"status": response.status_code, "detail": response.text[:500]}
        raise ApiProblem(response.status_code, problem)
