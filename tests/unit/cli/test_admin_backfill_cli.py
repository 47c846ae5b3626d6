"""`admin backfill-retention`'s argument handling, with the backfill itself faked (it is tested
on DynamoDB Local in tests/integration/test_retention_backfill.py)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from payments_tracker.adapters.dynamodb.retention import BackfillOutcome
from payments_tracker.cli import root as cli
from payments_tracker.composition import root
from payments_tracker.service.ports import StorageUnavailable

if TYPE_CHECKING:
    from pathlib import Path

    import pytest
    from click.testing import CliRunner

OUTCOME = BackfillOutcome(
    scanned=9, payments=5, raised=3, already_right=1, past_retention=1, dry_run=True
)


def test_it_runs_on_the_local_table_and_prints_the_counts(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, config_path: Path
) -> None:
    calls: list[dict[str, Any]] = []

    def backfill(settings: Any, client: Any = None, *, dry_run: bool = False) -> BackfillOutcome:
        calls.append({"table": settings.table_name, "client": client, "dry_run": dry_run})
        return OUTCOME

    monkeypatch.setattr(root, "backfill_payment_retention", backfill)
    command = ["admin", "backfill-retention", "--dry-run", "--config", str(config_path)]

    result = runner.invoke(cli.main, command)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "scanned": 9,
        "payments": 5,
        "raised": 3,
        "alreadyRight": 1,
        "pastRetention": 1,
        "dryRun": True,
    }
    assert len(calls) == 1
    assert calls[0]["table"] == "payments"
    assert calls[0]["client"] is not None  # the local endpoint's, not the AWS chain's
    assert calls[0]["dry_run"] is True


def test_a_storage_failure_is_one_line(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, config_path: Path
) -> None:
    def backfill(*_: Any, **__: Any) -> BackfillOutcome:
        raise StorageUnavailable("ThrottlingException")

    monkeypatch.setattr(root, "backfill_payment_retention", backfill)

    result = runner.invoke(cli.main, ["admin", "backfill-retention", "--config", str(config_path)])

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "payments-tracker: the table could not be read or written: ThrottlingException"
    )


def test_without_a_local_stack_it_says_to_start_one(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "none.json"

    result = runner.invoke(cli.main, ["admin", "backfill-retention", "--config", str(missing)])

    assert result.exit_code == 1
    assert "not found" in result.stderr
