"""The `payments-tracker` command against the real local stack, as a customer uses it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from support.cli_process import run_cli, sign_up_with_cli

if TYPE_CHECKING:
    from payments_tracker.local.config import LocalConfig

pytestmark = pytest.mark.e2e


@pytest.fixture
def config_file(tmp_path: Path, local_config: LocalConfig, gateway_url: str) -> Path:
    path = tmp_path / "config.json"
    local_config.write(path)
    return path


def test_signup_login_submit_get_list_void_as_a_customer_would(config_file: Path) -> None:
    customer = sign_up_with_cli(config_file)
    config = ("--config", str(config_file))

    token = customer.token
    assert token.count(".") == 2
    assert "\n" not in token
    assert token not in customer.login.stderr
    assert customer.password not in customer.login.stderr

    whoami = run_cli("whoami", "--token", token)
    assert whoami.returncode == 0
    assert json.loads(customer.signup.stdout)["sub"] == whoami.stdout.strip()

    auth = (*config, "--token", token)
    submitted = run_cli(
        "submit", "--description", "Gym", "--amount", "29.9", "--currency", "GBP", *auth
    )
    assert submitted.returncode == 0, submitted.stderr
    payment = json.loads(submitted.stdout)
    assert payment["amount"] == "29.90"

    fetched = run_cli("get", payment["paymentId"], *auth)
    assert json.loads(fetched.stdout) == payment

    listed = run_cli("list", "--month", payment["month"], "--all", *auth)
    assert listed.returncode == 0, listed.stderr
    assert payment["paymentId"] in listed.stdout

    voided = run_cli("void", payment["paymentId"], "--reason", "Entered twice", *auth)
    assert voided.returncode == 0, voided.stderr
    assert json.loads(voided.stdout)["status"] == "voided"
    assert json.loads(voided.stdout)["voidReason"] == "Entered twice"


def test_a_rejected_submission_prints_the_problem_on_stderr_and_exits_non_zero(
    config_file: Path, local_config: LocalConfig
) -> None:
    email, password = f"cli-{uuid.uuid4().hex[:10]}@example.com", f"Pw-{uuid.uuid4().hex}"
    config = ("--config", str(config_file))
    run_cli("signup", "--email", email, "--password", password, *config)
    token = run_cli("login", "--email", email, "--password", password, *config).stdout.strip()
    future = datetime(2100, 1, 1, tzinfo=UTC).isoformat()

    result = run_cli(
        "submit", "--description", "Gym", "--amount", "1", "--currency", "XTS",
        "--timestamp", future, *config, "--token", token,
    )  # fmt: skip

    assert result.returncode != 0
    assert result.stdout == ""
    assert "iso-4217" in result.stderr
    assert "not-in-future" in result.stderr


def test_login_with_a_wrong_password_fails_without_printing_a_token(config_file: Path) -> None:
    email = f"cli-{uuid.uuid4().hex[:10]}@example.com"
    config = ("--config", str(config_file))
    run_cli("signup", "--email", email, "--password", "Right-password-1", *config)

    result = run_cli("login", "--email", email, "--password", "Wrong-password-1", *config)

    assert result.returncode != 0
    assert result.stdout == ""
