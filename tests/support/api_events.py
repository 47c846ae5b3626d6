"""API Gateway REST proxy events for in-process tests of the api handler."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import parse_qs


def rest_event(
    method: str,
    path: str,
    *,
    body: str | dict[str, Any] | list[Any] | None = None,
    sub: str | None = None,
    content_type: str | None = "application/json",
    query: str = "",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST (v1) proxy event as API Gateway sends it after the authorizer allowed `sub`."""
    found = re.fullmatch(r"/payments/([^/]+)(/void)?", path)
    resource = f"/payments/{{paymentId}}{found.group(2) or ''}" if found else path
    path_parameters = {"paymentId": found.group(1)} if found else None
    all_headers = dict(headers or {})
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    multi_query = parse_qs(query, keep_blank_values=True) or None
    text = body if isinstance(body, str) or body is None else json.dumps(body)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers or None,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()} or None,
        "queryStringParameters": (
            {k: v[-1] for k, v in multi_query.items()} if multi_query else None
        ),
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "apiId": "local",
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {"principalId": sub, "sub": sub, "clientId": "cli"} if sub else None,
        },
        "body": text,
        "isBase64Encoded": False,
    }
