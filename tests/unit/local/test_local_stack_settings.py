"""The local stack's pure parts: version parsing, the gateway's environment, the cursor key file."""

from __future__ import annotations

from pathlib import Path

import pytest

from payments_tracker.composition.settings import Settings
from payments_tracker.local.config import CognitoConfig, DynamoDBConfig, LocalConfig
from payments_tracker.local.services import parse_java_major, parse_node_major
from payments_tracker.local.stack import (
    StackSettings,
    gateway_environment,
    load_or_create_cursor_key,
    parse_arguments,
)

CONFIG = LocalConfig(
    api_url="http://127.0.0.1:3000",
    region="us-east-1",
    dynamodb=DynamoDBConfig(endpoint="http://127.0.0.1:8000", table_name="payments"),
    cognito=CognitoConfig(
        endpoint="http://127.0.0.1:9229",
        user_pool_id="local_abc",
        client_id="client123",
        issuer="http://127.0.0.1:9229/local_abc",
        jwks_url="http://127.0.0.1:9229/local_abc/.well-known/jwks.json",
    ),
)


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17),
        ('java version "1.8.0_392"\nJava(TM) SE Runtime Environment', 8),
        ('openjdk version "21" 2023-09-19', 21),
        ('openjdk version "11.0.2" 2019-01-15', 11),
        ("something else entirely", None),
    ],
)
def test_java_major_version_is_read_from_java_version_output(
    output: str, major: int | None
) -> None:
    assert parse_java_major(output) == major


@pytest.mark.parametrize(
    ("output", "major"), [("v20.20.2\n", 20), ("v18.19.0", 18), ("v22.1.0", 22), ("", None)]
)
def test_node_major_version_is_read_from_node_version_output(
    output: str, major: int | None
) -> None:
    assert parse_node_major(output) == major


def test_gateway_environment_parses_into_the_handlers_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in gateway_environment(CONFIG, "a-cursor-key").items():
        monkeypatch.setenv(name, value)

    settings = Settings()

    assert settings.table_name == "payments"
    assert settings.dynamodb_endpoint_url == "http://127.0.0.1:8000"
    assert settings.aws_region == "us-east-1"
    assert settings.issuer == CONFIG.cognito.issuer
    assert settings.resolved_jwks_url() == CONFIG.cognito.jwks_url
    assert settings.allowed_client_ids == ("client123",)
    assert settings.enable_swagger is True
    assert settings.cors_allowed_origins == ("http://127.0.0.1:5173",)
    assert settings.cursor_key.get_secret_value() == "a-cursor-key"


def test_gateway_environment_sets_powertools_and_dummy_credentials() -> None:
    environment = gateway_environment(CONFIG, "k")

    assert environment["POWERTOOLS_SERVICE_NAME"] == "payments-tracker"
    assert environment["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert environment["POWERTOOLS_METRICS_NAMESPACE"] == "PaymentsTracker"
    assert environment["AWS_ACCESS_KEY_ID"]
    assert environment["AWS_SECRET_ACCESS_KEY"]


def test_cursor_key_is_generated_once_private_and_then_kept(tmp_path: Path) -> None:
    path = tmp_path / "state" / "cursor.key"

    first = load_or_create_cursor_key(path)
    second = load_or_create_cursor_key(path)

    assert first == second
    assert len(first) >= 32
    assert path.stat().st_mode & 0o077 == 0


def test_ports_come_from_flags_over_environment_over_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAYMENTS_LOCAL_DYNAMODB_PORT", "18000")
    monkeypatch.setenv("PAYMENTS_LOCAL_COGNITO_PORT", "19229")

    settings = parse_arguments(["--cognito-port", "29229"], StackSettings())

    assert settings.dynamodb_port == 18000
    assert settings.cognito_port == 29229
    assert settings.gateway_port == 3000
    assert settings.state_dir == Path(".local")
