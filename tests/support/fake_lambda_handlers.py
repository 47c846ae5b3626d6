"""Tiny Lambda handlers that the process-pool test imports in its spawned workers."""

from __future__ import annotations

import json
import os
from typing import Any


def authorizer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Allow the token `Bearer good` on the whole API; refuse anything else."""
    if event["authorizationToken"] != "Bearer good":
        raise Exception("Unauthorized")  # exactly what API Gateway expects
    api_arn = event["methodArn"].split("/", 1)[0]
    return {
        "principalId": "user-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": f"{api_arn}/v1/*/*"}
            ],
        },
        "context": {"sub": "user-1", "username": "user-1", "clientId": "cli", "scope": "s"},
    }


def api(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer with the worker's pid, the request id and the caller's sub."""
    body = {
        "pid": os.getpid(),
        "requestId": event["requestContext"]["requestId"],
        "sub": event["requestContext"]["authorizer"]["sub"],
        "functionName": context.function_name,
    }
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
