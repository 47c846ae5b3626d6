"""`payments-tracker commitments` and its corrections, with the HTTP calls faked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from payments_tracker.cli import root as cli
from support.cli_fakes import API, TOKEN, FakeHttp, json_answer

GYM = "6598386e-4c5c-527e-8ecd-8a3639177c0f"
FLIX = "0f6a3c1e-2b7d-5e4f-9a8b-1c2d3e4f5a6b"
PROBLEM = "application/problem+json"


def commitment(**overrides: Any) -> dict[str, Any]:
    """A live commitment as GET /commitments shows one."""
    return {
        "commitmentId": GYM,
        "name": "PureGym",
        "currency": "GBP",
        "cadence": "monthly",
        "status": "kept",
        "currentAmount": "24.99",
        "previousAmount": "19.99",
        "firstPaid": "2026-01-03",
        "lastPaid": "2026-03-03",
        "nextDue": "2026-04-03",
        "established": True,
        "confidence": 0.9,
        "excluded": False,
        "monthsKept": 3,
        "history24": "111" + "-" * 21,
        "mergedFrom": [],
        **overrides,
    }


@pytest.fixture
def auth(config_path: Path) -> list[str]:
    return ["--config", str(config_path), "--token", TOKEN]


@pytest.mark.parametrize("command", [["commitments"], ["commitments", "list"]])
def test_commitments_alone_or_list_prints_the_apisjson_answer(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, auth: list[str], command: list[str]
) -> None:
    listed = {"commitments": [commitment()]}
    http = FakeHttp(json_answer(200, listed))
    monkeypatch.setattr(httpx, "request", http)

    result = runner.invoke(cli.main, [*command, *auth])

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == listed
    call = http.calls[0]
    assert (call["method"], call["url"]) == ("GET", f"{API}/commitments")
    assert call["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert call["content"] is None


def test_the_table_shows_one_line_per_commitment_with_the_history_oldest_first(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, auth: list[str]
) -> None:
    ended = commitment(
        commitmentId=FLIX,
        name="Netflix",
        cadence="unknown",
        status="ended",
        currentAmount="10.99",
        previousAmount=None,
        nextDue=None,
        established=False,
        confidence=0,
        excluded=True,
        history24="..10" + "-" * 20,
    )
    monkeypatch.setattr(
        httpx, "request", FakeHttp(json_answer(200, {"commitments": [commitment(), ended]}))
    )

    result = runner.invoke(cli.main, ["commitments", "--table", *auth])

    assert result.exit_code == 0, result.stderr
    header, gym, flix = result.stdout.splitlines()
    assert header.split()[:4] == ["ID", "NAME", "CADENCE", "STATUS"]
    assert gym.split() == [
        GYM, "PureGym", "monthly", "kept", "24.99", "GBP", "19.99", "GBP", "2026-04-03",
        "yes", "0.90", "no", "-" * 21 + "111",
    ]  # fmt: skip
    assert flix.split() == [
        FLIX, "Netflix", "unknown", "ended", "10.99", "GBP", "-", "-",
        "no", "0.00", "yes", "-" * 20 + "01..",
    ]  # fmt: skip
    # The columns line up: each value starts where its header does.
    assert gym.index("monthly") == header.index("CADENCE") == flix.index("unknown")


def test_the_table_of_no_commitments_is_its_header(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, auth: list[str]
) -> None:
    monkeypatch.setattr(httpx, "request", FakeHttp(json_answer(200, {"commitments": []})))

    result = runner.invoke(cli.main, ["commitments", "list", "--table", *auth])

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("ID")
    assert len(result.stdout.splitlines()) == 1


@pytest.mark.parametrize(
    ("command", "body"),
    [
        (["rename", GYM, "My gym"], {"name": "My gym"}),
        (["rename", GYM, "  Café ☕ "], {"name": "  Café ☕ "}),  # as typed: the API judges it
        (["exclude", GYM], {"excluded": True}),
        (["include", GYM], {"excluded": False}),
    ],
)
def test_corrections_patch_the_commitment_and_print_it_as_it_now_stands(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    auth: list[str],
    command: list[str],
    body: dict[str, Any],
) -> None:
    answer = commitment(name="My gym")
    http = FakeHttp(json_answer(200, answer))
    monkeypatch.setattr(httpx, "request", http)

    result = runner.invoke(cli.main, ["commitments", *command, *auth])

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == answer
    call = http.calls[0]
    assert (call["method"], call["url"]) == ("PATCH", f"{API}/commitments/{GYM}")
    assert call["headers"]["Content-Type"] == "application/json"
    assert http.body() == body


def test_merge_posts_the_target_and_prints_the_commitment_they_now_are(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, auth: list[str]
) -> None:
    answer = commitment(mergedFrom=[FLIX])
    http = FakeHttp(json_answer(200, answer))
    monkeypatch.setattr(httpx, "request", http)

    result = runner.invoke(cli.main, ["commitments", "merge", FLIX, "--into", GYM, *auth])

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == answer
    call = http.calls[0]
    assert (call["method"], call["url"]) == ("POST", f"{API}/commitments/{FLIX}/merge")
    assert http.body() == {"into": GYM}


def test_merge_without_into_is_a_usage_error_before_any_request(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, auth: list[str]
) -> None:
    http = FakeHttp()
    monkeypatch.setattr(httpx, "request", http)

    result = runner.invoke(cli.main, ["commitments", "merge", FLIX, *auth])

    assert result.exit_code == 2
    assert "--into" in result.stderr
    assert http.calls == []


def test_an_id_is_sent_as_one_path_segment(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, auth: list[str]
) -> None:
    http = FakeHttp(json_answer(200, commitment()))
    monkeypatch.setattr(httpx, "request", http)

    runner.invoke(cli.main, ["commitments", "exclude", "../payments?x=1", *auth])

    assert http.calls[0]["url"] == f"{API}/commitments/..%2Fpayments%3Fx%3D1"


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        (
            ["rename", GYM, "x" * 141],
            {
                "type": "/problems/validation",
                "title": "Unprocessable Content",
                "status": 422,
                "errors": [{"field": "name", "rule": "length", "message": "too long"}],
            },
        ),
        (
            ["exclude", FLIX],
            {"type": "/problems/commitment-not-found", "title": "Not Found", "status": 404},
        ),
        (
            ["merge", GYM, "--into", GYM],
            {
                "type": "/problems/validation",
                "title": "Unprocessable Content",
                "status": 422,
                "errors": [{"field": "into", "rule": "same-commitment", "message": "is this"}],
            },
        ),
        (["list"], {"type": "about:blank", "title": "Unauthorized", "status": 401}),
    ],
)
def test_problems_go_to_stderr_as_the_api_sent_them_with_exit_1(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    auth: list[str],
    command: list[str],
    problem: dict[str, Any],
) -> None:
    monkeypatch.setattr(
        httpx, "request", FakeHttp(json_answer(problem["status"], problem, PROBLEM))
    )

    result = runner.invoke(cli.main, ["commitments", *command, *auth])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(result.stderr) == problem


def test_without_a_token_nothing_is_sent_and_the_error_is_one_line(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, config_path: Path
) -> None:
    http = FakeHttp()
    monkeypatch.setattr(httpx, "request", http)

    result = runner.invoke(
        cli.main,
        ["commitments", "rename", GYM, "Gym", "--config", str(config_path)],
        env={"PAYMENTS_TOKEN": ""},
    )

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "PAYMENTS_TOKEN" in result.stderr
    assert http.calls == []


def test_an_unreachable_api_is_a_one_line_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, auth: list[str]
) -> None:
    def refused(method: str, url: str, **kwargs: Any) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    monkeypatch.setattr(httpx, "request", refused)

    result = runner.invoke(cli.main, ["commitments", *auth])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"payments-tracker: cannot reach {API}: ConnectError\n"


def test_the_token_and_url_come_from_the_environment(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    http = FakeHttp(json_answer(200, commitment()))
    monkeypatch.setattr(httpx, "request", http)
    env = {"PAYMENTS_API_URL": "https://api.example/v1/", "PAYMENTS_TOKEN": TOKEN}

    result = runner.invoke(
        cli.main,
        ["commitments", "include", GYM, "--config", str(tmp_path / "none.json")],
        env=env,
    )

    assert result.exit_code == 0, result.stderr
    assert http.calls[0]["url"] == f"https://api.example/v1/commitments/{GYM}"
    assert http.calls[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"


def months_answer() -> dict[str, Any]:
    """GET /commitments/{id}/months for a weekly cleaner: November with a missed week, then a
    month before it was seen (22 more such months)."""
    paid = {"paymentId": FLIX, "timestamp": "2026-11-07T09:00:00Z", "amount": "40.00",
            "currency": "GBP"}  # fmt: skip
    november = {
        "month": "2026-11",
        "code": "0",
        "status": "notCurrent",
        "why": "Not current: due 2026-11-14 missed.",
        "dueDates": [
            {
                "dueDate": "2026-11-07",
                "outcome": "paid",
                "why": "paid on 2026-11-07, on the due date",
                "payments": [paid],
            },
            {
                "dueDate": "2026-11-14",
                "outcome": "missed",
                "why": "nothing paid by 2026-11-17, the last of the 3 days allowed after it",
                "payments": [],
            },
        ],
        "payments": [paid],
    }
    unseen = {
        "month": "2026-10",
        "code": "-",
        "status": "notSeen",
        "why": "Not seen yet: before the first due date paid.",
        "dueDates": [],
        "payments": [],
    }
    return {"commitmentId": GYM, "months": [november, unseen]}


def test_months_prints_one_line_per_due_date_and_one_per_month_without_any(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, auth: list[str]
) -> None:
    http = FakeHttp(json_answer(200, months_answer()))
    monkeypatch.setattr(httpx, "request", http)

    result = runner.invoke(cli.main, ["commitments", "months", GYM, *auth])

    assert result.exit_code == 0, result.stderr
    assert (http.calls[0]["method"], http.calls[0]["url"]) == (
        "GET",
        f"{API}/commitments/{GYM}/months",
    )
    title, header, first, second, third = result.stdout.splitlines()
    assert title == f"Commitment {GYM}, newest month first:"
    assert header.split() == ["MONTH", "CODE", "STATUS", "DUE", "OUTCOME", "PAID", "WHY"]
    assert first.split()[:6] == ["2026-11", "0", "notCurrent", "2026-11-07", "paid", "2026-11-07"]
    assert first.endswith(
        "Not current: due 2026-11-14 missed. Due 2026-11-07: paid on 2026-11-07, on the due date"
    )
    assert "40.00 GBP" in first
    assert second.split()[:3] == ["2026-11-14", "missed", "-"]  # the month is on the line above
    assert second.endswith("the last of the 3 days allowed after it")
    assert third.split()[:5] == ["2026-10", "-", "notSeen", "-", "-"]


def test_months_json_is_the_apis_and_a_refusal_goes_to_stderr(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, auth: list[str]
) -> None:
    problem = {"type": "/problems/commitment-not-found", "title": "Commitment not found",
               "status": 404, "detail": "No commitment of yours has this id", "instance": "r",
               "errors": [{"field": "commitmentId", "rule": "exists", "message": "…"}]}  # fmt: skip
    http = FakeHttp(json_answer(200, months_answer()), json_answer(404, problem, PROBLEM))
    monkeypatch.setattr(httpx, "request", http)

    shown = runner.invoke(cli.main, ["commitments", "months", GYM, "--json", *auth])
    refused = runner.invoke(cli.main, ["commitments", "months", FLIX, *auth])

    assert json.loads(shown.stdout) == months_answer()
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert json.loads(refused.stderr)["status"] == 404
