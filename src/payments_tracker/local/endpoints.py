"""boto3 clients for the local stand-ins (DynamoDB Local, cognito-local) on a given endpoint."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

# The local services ignore credentials, but botocore refuses to sign a request without some.
DUMMY_ACCESS_KEY_ID = "local"
DUMMY_SECRET_ACCESS_KEY = "local"  # noqa: S105 - not a secret: the local services ignore it
LOCAL_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=10, retries={"mode": "standard"})


def local_service_client(service: str, endpoint: str, region: str) -> Any:
    """A boto3 client of `service` that talks to the local stand-in at `endpoint`."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=DUMMY_ACCESS_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
        config=LOCAL_CLIENT_CONFIG,
    )
