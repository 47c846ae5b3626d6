"""The payments-tracker command's argument handling, with the HTTP and Cognito calls faked."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from payments_tracker.cli import root as cli
from support.cli_fakes import API, SUB, TOKEN, FakeHttp, json_answer


def test_submit_sends_the_submission_with_defaults_from_token_and_clock(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, config_path: Path
) -> None:
    http = FakeHttp(json_answer(201, {"paymentId": "p"}))
    monkeypatch.setattr(httpx, "request", http)
    args = ["submit", "--description", "Netflix", "--amount", "12.90", "--currency", "GBP"]
    result = runner.invoke(cli.main, [*args, "--config", str(config_path), "--token", TOKEN])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"paymentId": "p"}
    call = http.calls[0]
    assert call["method"] == "POST"
    assert call["url"] == f"{API}/payments"
    assert call["headers"]["Authorization"] == f"Bearer {TOKEN}"
    body = json.loads(call["content"])
    assert body["userId"] == SUB
    assert body["amount"] == "12.90"  # a string, exactly as typed
    assert uuid.UUID(body["paymentId"]).version == 4
    assert datetime.fromisoformat(body["timestamp"]).utcoffset() is not None


def test_api_url_and_token_come_from_the_environment(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    http = FakeHttp(json_answer(200, {"paymentId": "p/1"}))
    monkeypatch.setattr(httpx, "request", http)
    env = {"PAYMENTS_API_URL": "https://api.example/v1/", "PAYMENTS_TOKEN": TOKEN}
    result = runner.invoke(
        cli.main, ["get", "p/1", "--config", str(tmp_path / "none.json")], env=env
    )
    assert result.exit_code == 0, result.stderr
    assert http.calls[0]["url"] == "https://api.example/v1/payments/p%2F1"


def test_problem_answers_go_to_stderr_with_exit_1(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, config_path: Path
) -> None:
    problem = {"type": "/problems/not-found", "title": "Not Found", "status": 404}
    monkeypatch.setattr(
        httpx, "request", FakeHttp(json_answer(404, problem, "application/problem+json"))
    )
    result = runner.invoke(cli.main, ["void", "x", "--config", str(config_path), "--token", TOKEN])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(result.stderr) == problem


@pytest.mark.parametrize(
    ("options", "content"),
    [([], None), (["--reason", "Entered twice"], b'{"reason": "Entered twice"}')],
)
def test_void_posts_to_the_payments_void_action_with_an_optional_reason(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    config_path: Path,
    options: list[str],
    content: bytes | None,
) -> None:
    http = FakeHttp(json_answer(200, {"status": "voided"}))
    monkeypatch.setattr(httpx, "request", http)
    arguments = ["void", "p/1", *options, "--config", str(config_path), "--token", TOKEN]

    result = runner.invoke(cli.main, arguments)

    assert result.exit_code == 0, result.stderr
    call = http.calls[0]
    assert (call["method"], call["url"]) == ("POST", f"{API}/payments/p%2F1/void")
    assert call["content"] == content


def test_missing_token_is_a_one_line_error(runner: CliRunner, config_path: Path) -> None:
    result = runner.invoke(
        cli.main, ["get", "x", "--config", str(config_path)], env={"PAYMENTS_TOKEN": ""}
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "PAYMENTS_TOKEN" in result.stderr


def test_list_all_follows_cursors_with_the_same_limit(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, config_path: Path
) -> None:
    http = FakeHttp(
        json_answer(200, {"items": [{"n": 1}], "nextCursor": "c1"}),
        json_answer(200, {"items": [{"n": 2}], "nextCursor": None}),
    )
    monkeypatch.setattr(httpx, "request", http)
    args = ["list", "--month", "2026-11", "--limit", "1", "--all"]
    result = runner.invoke(cli.main, [*args, "--config", str(config_path), "--token", TOKEN])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"items": [{"n": 1}, {"n": 2}], "nextCursor": None}
    assert [call["params"] for call in http.calls] == [
        {"month": "2026-11", "limit": 1},
        {"month": "2026-11", "limit": 1, "cursor": "c1"},
    ]


class FakeCognito:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def initiate_auth(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("initiate_auth", kwargs))
        return {"AuthenticationResult": {"AccessToken": TOKEN, "RefreshToken": "refresh"}}

    def sign_up(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("sign_up", kwargs))
        return {"UserSub": SUB}

    def admin_confirm_sign_up(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("admin_confirm_sign_up", kwargs))
        return {}


def test_login_prints_the_access_token_alone(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, config_path: Path
) -> None:
    cognito = FakeCognito()
    monkeypatch.setattr("payments_tracker.local.bootstrap.cognito_client", lambda *_: cognito)
    args = ["login", "--email", "a@example.com", "--password", "pw-123456789012"]
    result = runner.invoke(cli.main, [*args, "--config", str(config_path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == TOKEN + "\n"
    assert result.stderr == ""
    assert cognito.calls[0][1]["AuthFlow"] == "USER_PASSWORD_AUTH"
    assert cognito.calls[0][1]["ClientId"] == "client-1"


def test_signup_creates_and_confirms_on_the_local_pool(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, config_path: Path
) -> None:
    cognito = FakeCognito()
    monkeypatch.setattr("payments_tracker.local.bootstrap.cognito_client", lambda *_: cognito)
    args = ["signup", "--email", "a@example.com", "--password", "pw-123456789012"]
    result = runner.invoke(cli.main, [*args, "--config", str(config_path)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["sub"] == SUB
    assert [name for name, _ in cognito.calls] == ["sign_up", "admin_confirm_sign_up"]
    assert "pw-123456789012" not in result.stdout + result.stderr


def test_signup_without_a_local_stack_points_to_the_managed_login(
    runner: CliRunner, tmp_path: Path
) -> None:
    args = ["signup", "--email", "a@example.com", "--password", "pw-123456789012"]
    result = runner.invoke(cli.main, [*args, "--config", str(tmp_path / "none.json")])
    assert result.exit_code == 1
    assert "managed login" in result.stderr


@pytest.mark.parametrize(
    ("month", "says"),
    [
        ("2999-01", "not over everywhere yet"),
        ("2026-13", "is not a month"),
        ("26-1", "is not a month"),
    ],
)
def test_report_build_refuses_a_future_or_malformed_month_before_opening_anything(
    tmp_path: Path, month: str, says: str
) -> None:
    missing_config = tmp_path / "no-such-config.json"

    result = CliRunner().invoke(
        cli.main, ["report", "build", "--month", month, "--config", str(missing_config)]
    )

    assert result.exit_code != 0
    assert says in result.output
    assert "config" not in result.output  # the month is judged first, no stack needed


def test_login_needs_an_email_or_the_browser(runner: CliRunner, config_path: Path) -> None:
    result = runner.invoke(cli.main, ["login", "--config", str(config_path)])
    assert result.exit_code == 2
    assert "--browser" in result.stderr


def test_login_browser_refuses_a_password(runner: CliRunner, config_path: Path) -> None:
    args = ["login", "--browser", "--email", "a@example.com", "--password", "pw-123456789012"]
    result = runner.invoke(cli.main, [*args, "--config", str(config_path)])
    assert result.exit_code == 2
    assert "pw-123456789012" not in result.stdout + result.stderr


def test_login_browser_with_a_domain_needs_the_client_id(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, config_path: Path
) -> None:
    monkeypatch.delenv("PAYMENTS_CLI_CLIENT_ID", raising=False)
    args = ["login", "--browser", "--domain", "https://x.auth.eu-west-2.amazoncognito.com"]
    result = runner.invoke(cli.main, [*args, "--config", str(config_path)])
    assert result.exit_code == 1
    assert "--client-id" in result.stderr


def test_login_browser_uses_the_flags_and_prints_only_the_token(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}

    def fake_login(base_url: str, client_id: str, **kwargs: Any) -> str:
        seen.update(base_url=base_url, client_id=client_id, **kwargs)
        kwargs["open_browser"]("https://x.auth.eu-west-2.amazoncognito.com/oauth2/authorize?a=b")
        return TOKEN

    monkeypatch.setattr("payments_tracker.cli.account.browser_login", fake_login)
    args = ["login", "--browser", "--no-open", "--port", "9001", "--timeout", "5"]
    env = {
        "PAYMENTS_AUTH_DOMAIN": "https://x.auth.eu-west-2.amazoncognito.com",
        "PAYMENTS_CLI_CLIENT_ID": "cli-id",
    }
    result = runner.invoke(cli.main, [*args, "--config", str(tmp_path / "none.json")], env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == TOKEN + "\n"
    assert TOKEN not in result.stderr
    assert "/oauth2/authorize?a=b" in result.stderr
    assert seen["base_url"] == "https://x.auth.eu-west-2.amazoncognito.com"
    assert seen["client_id"] == "cli-id"
    assert (seen["port"], seen["timeout"]) == (9001, 5.0)
