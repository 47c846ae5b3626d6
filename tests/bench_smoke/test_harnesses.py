"""Each benchmark harness runs with tiny counts and produces numbers (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_harness(module: str, *arguments: str, tmp_path: Path) -> dict:
    """Run `python -m <module> … --json out` from the repository root; its JSON summary."""
    out = tmp_path / "summary.json"
    subprocess.run(
        [sys.executable, "-m", module, *arguments, "--json", str(out)],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=240,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def test_handler_overhead_measures_every_handler_and_body(tmp_path: Path) -> None:
    summary = run_harness("bench.handler_overhead", "--calls", "20", tmp_path=tmp_path)
    handlers = {(row["handler"], row["body"]) for row in summary["rows"]}
    assert {("ours", "valid"), ("powertools", "invalid"), ("fastapi", "valid")} <= handlers
    assert all(row["median_us"] > 0 and row["p99_us"] > 0 for row in summary["rows"])


def test_cold_start_measures_our_modules_beside_the_baseline_in_both_bytecode_states(
    tmp_path: Path,
) -> None:
    summary = run_harness("bench.cold_start", "--runs", "1", tmp_path=tmp_path)
    rows = {row["module"]: row for row in summary["rows"]}
    assert {"api", "authorizer", "report", "powertools baseline"} <= set(rows)
    for row in rows.values():
        assert row["cached_import_ms"] > 0
        assert row["source_import_ms"] > 0
    # import plus a first POST /payments, storage stubbed: ours and the baseline's
    assert rows["api"]["cached_request_ms"] > 0
    assert rows["powertools baseline"]["source_request_ms"] > 0
    assert summary["offenders"]["api"]


def test_package_size_zips_a_directory(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "module.py").write_text("x = 1\n" * 100)
    probe = (
        "import json, sys; from pathlib import Path; from bench.package_size import zipped_size;"
        " print(json.dumps(zipped_size(Path(sys.argv[1]))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "pkg")],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    zipped, unzipped, files = json.loads(result.stdout)
    assert files == 1
    assert 0 < zipped < unzipped


def test_report_builds_a_tiny_month_in_process(tmp_path: Path) -> None:
    summary = run_harness("bench.report", "--users", "20", "--e2e-users", "0", tmp_path=tmp_path)
    row = summary["in_process"][0]
    assert row["reports"] == 20
    assert row["payments"] > 0
    assert row["payments_per_s"] > 0


@pytest.mark.e2e
def test_end_to_end_writes_through_the_gateway_and_raw(tmp_path: Path) -> None:
    summary = run_harness(
        "bench.end_to_end",
        "--clients",
        "2",
        "--seconds",
        "1",
        "--rounds",
        "1",
        tmp_path=tmp_path,
    )
    assert summary["raw_put_items"] > 0
    assert summary["submissions_201"] > 0
    assert summary["exactly_once"]
