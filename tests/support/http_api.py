"""What the tests over HTTP share: a caller's Authorization header and the check of a
problem+json answer."""

from __future__ import annotations

from typing import Any, Protocol

import httpx

PROBLEM = "application/problem+json"


class Caller(Protocol):
    """Anyone the API can be called as: a cognito-local user, or a deployed stage's user."""

    @property
    def access_token(self) -> str: ...


def auth(user: Caller) -> dict[str, str]:
    """The headers that call the API as `user`."""
    return {"Authorization": f"Bearer {user.access_token}"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and no stack trace; its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert {"type", "title", "detail", "instance"} <= set(problem)
    assert "Traceback" not in response.text
    return problem
