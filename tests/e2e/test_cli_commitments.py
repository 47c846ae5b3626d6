"""`payments-tracker commitments` against the real local stack, as a customer uses it: list, rename,
exclude, include and merge, and the API's refusals on stderr."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from dateutil.relativedelta import relativedelta

from support.cli_process import run_cli, sign_up_with_cli

if TYPE_CHECKING:
    from payments_tracker.local.config import LocalConfig

pytestmark = pytest.mark.e2e

NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
"""An hour ago: the latest payment (never in the future)."""


@pytest.fixture
def config_file(tmp_path: Path, local_config: LocalConfig, gateway_url: str) -> Path:
    path = tmp_path / "config.json"
    local_config.write(path)
    return path


@pytest.fixture
def auth(config_file: Path) -> tuple[str, ...]:
    """`--config … --token …` of a new customer, signed up and logged in with the CLI."""
    return ("--config", str(config_file), "--token", sign_up_with_cli(config_file).token)


def submit(auth: tuple[str, ...], description: str, months_ago: int, amount: str) -> None:
    moment = (NOW - relativedelta(months=months_ago)).isoformat()
    submitted = run_cli(
        "submit", "--description", description, "--amount", amount, "--currency", "GBP",
        "--timestamp", moment, *auth,
    )  # fmt: skip
    assert submitted.returncode == 0, submitted.stderr


def listed(auth: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """`payments-tracker commitments`, by name."""
    result = run_cli("commitments", *auth)
    assert result.returncode == 0, result.stderr
    return {c["name"]: c for c in json.loads(result.stdout)["commitments"]}


def corrected(*args: str) -> dict[str, Any]:
    """A correction's JSON answer (the commitment as it now stands)."""
    result = run_cli("commitments", *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def test_list_rename_exclude_include_and_merge_as_a_customer_would(auth: tuple[str, ...]) -> None:
    for months_ago, description in ((3, "PUREGYM LTD"), (2, "PureGym"), (1, "PureGym")):
        submit(auth, description, months_ago, "24.99")
    for months_ago in (2, 1):
        submit(auth, "Netflix", months_ago, "10.99")

    shown = listed(auth)
    assert set(shown) == {"PureGym", "Netflix"}
    gym, netflix = shown["PureGym"]["commitmentId"], shown["Netflix"]["commitmentId"]
    assert (shown["PureGym"]["cadence"], shown["PureGym"]["established"]) == ("monthly", True)

    table = run_cli("commitments", "--table", *auth)
    assert table.returncode == 0, table.stderr
    header, *rows = table.stdout.splitlines()
    assert header.startswith("ID")
    assert "NEXT DUE" in header
    assert sorted(row.split()[0] for row in rows) == sorted([gym, netflix])

    renamed = corrected("rename", gym, "My gym", *auth)
    assert (renamed["commitmentId"], renamed["name"]) == (gym, "My gym")

    assert corrected("exclude", netflix, *auth)["excluded"] is True
    assert listed(auth)["Netflix"]["excluded"] is True
    assert corrected("include", netflix, *auth)["excluded"] is False
    assert listed(auth)["Netflix"]["excluded"] is False

    merged = corrected("merge", netflix, "--into", gym, *auth)
    assert (merged["commitmentId"], merged["name"], merged["mergedFrom"]) == (
        gym,
        "My gym",
        [netflix],
    )
    after = listed(auth)
    assert list(after) == ["My gym"]
    assert after["My gym"]["mergedFrom"] == [netflix]


def test_refusals_print_the_problem_on_stderr_and_exit_1(auth: tuple[str, ...]) -> None:
    submit(auth, "Gym", 1, "20.00")
    (gym,) = [c["commitmentId"] for c in listed(auth).values()]
    unknown = str(uuid.uuid5(uuid.NAMESPACE_URL, gym))

    for args, status, rule in (
        (("rename", gym, "   "), 422, ("name", "not-blank")),
        (("merge", gym, "--into", gym), 422, ("into", "same-commitment")),
        (("exclude", unknown), 404, ("commitmentId", "exists")),
        (("include", "not-a-commitment-id"), 422, ("commitmentId", "commitment-id")),
    ):
        result = run_cli("commitments", *args, *auth)
        assert result.returncode == 1, (args, result.stdout)
        assert result.stdout == ""
        problem = json.loads(result.stderr)
        assert problem["status"] == status
        assert [(e["field"], e["rule"]) for e in problem["errors"]] == [rule]

    assert listed(auth)["Gym"]["excluded"] is False


def test_months_prints_why_each_month_counts_as_a_table_and_as_json(auth: tuple[str, ...]) -> None:
    for months_ago in (3, 2, 1):
        submit(auth, "PureGym", months_ago, "24.99")
    (gym,) = [c["commitmentId"] for c in listed(auth).values()]
    newest = (datetime.now(UTC).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")

    as_json = run_cli("commitments", "months", gym, "--json", *auth)
    assert as_json.returncode == 0, as_json.stderr
    answer = json.loads(as_json.stdout)
    assert answer["commitmentId"] == gym
    assert len(answer["months"]) == 24
    assert answer["months"][0]["month"] == newest

    table = run_cli("commitments", "months", gym, *auth)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == f"Commitment {gym}, newest month first:"
    assert lines[1].split() == ["MONTH", "CODE", "STATUS", "DUE", "OUTCOME", "PAID", "WHY"]
    months_paid = [m for m in answer["months"] if any(d["payments"] for d in m["dueDates"])]
    assert len(months_paid) >= 2
    for month in months_paid:
        (line,) = [text for text in lines if text.startswith(month["month"])]
        due = month["dueDates"][0]
        assert due["dueDate"] in line
        assert "paid" in line
        assert "24.99 GBP" in line
        assert month["why"] in line


def test_months_of_an_unknown_commitment_is_404_on_stderr(auth: tuple[str, ...]) -> None:
    result = run_cli("commitments", "months", str(uuid.uuid4()), *auth)
    assert result.returncode == 1
    assert result.stdout == ""
    problem = json.loads(result.stderr)
    assert (problem["status"], problem["errors"][0]["field"]) == (404, "commitmentId")
