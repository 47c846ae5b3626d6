"""The one typed settings object: parsed once from the environment, read by nothing else."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration of every function and of the local stack (env prefix `PAYMENTS_`)."""

    model_config = SettingsConfigDict(env_prefix="PAYMENTS_", frozen=True, extra="ignore")

    # Storage
    table_name: str = "payments"
    dynamodb_endpoint_url: str | None = None
    """Set locally to DynamoDB Local's URL; unset on AWS."""
    aws_region: str = Field(default="us-east-1", validation_alias="AWS_REGION")

    # Pagination cursors: HMAC key and lifetime
    cursor_key: SecretStr | None = None
    """Required by the api function (it fails at its first request without it); no default, so
    a function that misses it never runs with a guessable key."""
    cursor_ttl_seconds: int = 3600

    # Token verification (authorizer)
    issuer: str = ""
    """The user pool's issuer, e.g. https://cognito-idp.<region>.amazonaws.com/<poolId>."""
    jwks_url: str | None = None
    """Defaults to `<issuer>/.well-known/jwks.json`."""
    allowed_client_ids: Annotated[tuple[str, ...], NoDecode] = ()
    """Comma-separated list of app client ids whose access tokens are accepted."""

    # Monthly report: the credit-file export goes to the bucket on AWS, else to a local folder
    export_bucket: str | None = None
    export_dir: str | None = None
    """One of the two is required by the report function: the bucket on AWS, a folder locally."""

    # HTTP surface
    cors_allowed_origins: Annotated[tuple[str, ...], NoDecode] = ()
    enable_swagger: bool = False
    """Swagger UI at /swagger: on for the local stack only."""

    def resolved_jwks_url(self) -> str:
        """The JWKS address: explicit, or derived from the issuer."""
        return self.jwks_url or f"{self.issuer.rstrip('/')}/.well-known/jwks.json"

    @field_validator("allowed_client_ids", "cors_allowed_origins", mode="before")
    @classmethod
    def _split_comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, parsed once."""
    return Settings()
