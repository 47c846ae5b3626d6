"""ExportSink on S3: the export bucket (KMS by the bucket's default encryption), key `<month>/…`."""

from __future__ import annotations

from typing import Any, BinaryIO, Protocol


class ObjectWriter(Protocol):
    """The one S3 client call the sink makes (a boto3 S3 client has it)."""

    def put_object(self, **request: Any) -> Any:
        """PutObject."""


class S3ExportSink:
    """Objects in the export bucket, optionally under a key prefix.

    No encryption headers: the bucket's default encryption applies its own KMS key (a request
    naming `aws:kms` without a key id would use the AWS-managed key instead).
    """

    def __init__(self, client: ObjectWriter, bucket: str, prefix: str = "") -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix

    def put(self, key: str, body: BinaryIO, content_type: str) -> None:
        """One PutObject of the whole body (parts are a few MB compressed)."""
        self._client.put_object(
            Bucket=self._bucket,
            Key=f"{self._prefix}{key}",
            Body=body,
            ContentType=content_type,
        )


def s3_export_sink(bucket: str, region: str) -> S3ExportSink:
    """The sink on `bucket`, with a boto3 S3 client of `region` (the function's own role)."""
    import boto3  # noqa: PLC0415 - only the deployed report function writes to S3

    return S3ExportSink(boto3.client("s3", region_name=region), bucket)
