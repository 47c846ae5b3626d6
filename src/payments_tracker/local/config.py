"""`.local/config.json`: what the local bootstrap created and where it listens (dev tooling)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

LOCAL_DIR = Path(".local")
CONFIG_PATH = LOCAL_DIR / "config.json"


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)


class DynamoDBConfig(_Model):
    """Where DynamoDB Local listens and the table's name."""

    endpoint: str
    table_name: str = Field(alias="tableName")


class CognitoConfig(_Model):
    """The local user pool, its `cli` app client and (optional) `web` app client."""

    endpoint: str
    user_pool_id: str = Field(alias="userPoolId")
    client_id: str = Field(alias="clientId")
    issuer: str
    jwks_url: str = Field(alias="jwksUrl")
    web_client_id: str | None = Field(default=None, alias="webClientId")
    """The web page's client (code + PKCE); None in a config written before it existed."""


class LocalConfig(_Model):
    """The whole file; written by the bootstrap, read by the CLI and the tests."""

    api_url: str = Field(alias="apiUrl")
    web_url: str | None = Field(default=None, alias="webUrl")
    """Where the stack serves the web page (its origin is on the API's CORS allow-list)."""
    region: str
    dynamodb: DynamoDBConfig
    cognito: CognitoConfig

    def write(self, path: Path = CONFIG_PATH) -> None:
        """Write the file (JSON, camelCase keys)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(by_alias=True, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path = CONFIG_PATH) -> LocalConfig:
        """Read the file written by the bootstrap."""
        return cls.model_validate_json(path.read_text(encoding="utf-8"))
