"""The CLI's unit tests' stand-ins: a signed token for a fake customer, httpx.request answered
from a queue, and a local stack's config file that points nowhere real."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import httpx
import jwt

from payments_tracker.local.config import CognitoConfig, DynamoDBConfig, LocalConfig

if TYPE_CHECKING:
    from pathlib import Path

SUB = str(uuid.uuid4())
TOKEN = jwt.encode({"sub": SUB, "token_use": "access"}, "k" * 32, algorithm="HS256")
API = "http://127.0.0.1:3999"


class FakeHttp:
    """Stands in for httpx.request: records calls, answers from a queue."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.calls: list[dict[str, Any]] = []
        self.responses = list(responses)

    def __call__(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.calls.append({"method": method, "url": url, **kwargs})
        return self.responses.pop(0)

    def body(self, index: int = 0) -> Any:
        """The JSON body of call `index` (None without one)."""
        content = self.calls[index]["content"]
        return None if content is None else json.loads(content)


def json_answer(
    status: int, body: object, content_type: str = "application/json"
) -> httpx.Response:
    """An HTTP answer with `body` as JSON."""
    return httpx.Response(status, content=json.dumps(body), headers={"content-type": content_type})


def write_local_config(
    path: Path, *, dynamodb_endpoint: str = "http://127.0.0.1:8000", table: str = "payments"
) -> Path:
    """A `.local/config.json` for the API at API, DynamoDB at `dynamodb_endpoint`."""
    LocalConfig(
        api_url=API,
        region="us-east-1",
        dynamodb=DynamoDBConfig(endpoint=dynamodb_endpoint, table_name=table),
        cognito=CognitoConfig(
            endpoint="http://127.0.0.1:9229",
            user_pool_id="local_pool",
            client_id="client-1",
            issuer="http://127.0.0.1:9229/local_pool",
            jwks_url="http://127.0.0.1:9229/local_pool/.well-known/jwks.json",
        ),
    ).write(path)
    return path
