"""Contract fuzzing: schemathesis runs every operation of docs/api/openapi.json against the stack.

All checks are on except two that contradict docs/design.md, each written down in
docs/reliability.md: `positive_data_acceptance` (a schema-valid body is refused unless `userId` is
the caller) and `unsupported_method` (an undeclared method is 404, as API Gateway answers, not 405).
Voiding is `POST /payments/{paymentId}/void`, an action on a payment that stays, so the API has no
DELETE for `use_after_free` to doubt (issue 11, point 7).
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from payments_tracker.local.services import PROJECT_ROOT
from support.reliability_profile import current_profile

if TYPE_CHECKING:
    from conftest import CognitoUser

pytestmark = pytest.mark.e2e

OPENAPI = PROJECT_ROOT / "docs" / "api" / "openapi.json"
EXCLUDED_CHECKS = ("positive_data_acceptance", "unsupported_method")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def documented_operations(document: dict[str, Any]) -> dict[str, bool]:
    """`METHOD /path` of every operation of an OpenAPI document, and whether it takes any input.

    An operation without parameters or body (`GET /consent`) has one request to send: hypothesis
    stops after the few distinct cases there are, so no case count can be asked of it.
    """
    return {
        f"{method.upper()} {path}": bool(
            operation.get("parameters") or item.get("parameters") or operation.get("requestBody")
        )
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def cases_per_operation(ndjson: Path) -> collections.Counter[str]:
    """How many test cases schemathesis generated and sent for each operation (all phases)."""
    counted: collections.Counter[str] = collections.Counter()
    for line in ndjson.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder") or {}
        cases = recorder.get("cases") or {}
        for case_id in recorder.get("interactions") or {}:
            case = cases.get(case_id, {}).get("value", {})
            counted[f"{case.get('method', '?').upper()} {case.get('path', '?')}"] += 1
    return counted


def run_schemathesis(
    gateway_url: str, caller: CognitoUser, workdir: Path, *extra: str
) -> tuple[str, collections.Counter[str]]:
    """One schemathesis run (its output and the cases per operation); fails on any failure."""
    profile = current_profile()
    workdir.mkdir(parents=True, exist_ok=True)
    # The stateful phase chains operations through links; its scenarios are few and long.
    config = workdir / "schemathesis.toml"
    stateful_scenarios = 100 if profile.name == "fast" else profile.schemathesis_examples
    config.write_text(f"[phases.stateful.generation]\nmax-examples = {stateful_scenarios}\n")
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        str(OPENAPI),
        "--url",
        gateway_url,
        "--header",
        f"Authorization: Bearer {caller.access_token}",
        "--checks",
        "all",
        "--exclude-checks",
        ",".join(EXCLUDED_CHECKS),
        "--max-examples",
        str(profile.schemathesis_examples),
        # One worker: Python 3.11's ast.parse is not thread-safe and hypothesis calls it while
        # describing strategies ("SystemError: AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--seed",
        os.environ.get("PAYMENTS_FUZZ_SEED", "20261126"),
        "--request-timeout",
        "30",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(workdir / "events.ndjson"),
        "--no-color",
        *extra,
    ]
    environment = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
        "PYTHONPATH": str(Path(__file__).resolve().parent),
        "PAYMENTS_FUZZ_CALLER_SUB": caller.sub,
    }
    completed = subprocess.run(
        command,
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert caller.access_token not in output  # schemathesis filters the Authorization header
    assert completed.returncode == 0, output[-6000:]
    return output, cases_per_operation(workdir / "events.ndjson")


def test_every_operation_passes_every_check_with_at_least_the_profiles_cases(
    gateway_url: str, caller: CognitoUser, tmp_path: Path
) -> None:
    profile = current_profile()
    operations = documented_operations(json.loads(OPENAPI.read_text(encoding="utf-8")))

    output, counted = run_schemathesis(gateway_url, caller, tmp_path / "all")
    # With stored payments to draw ids from, hypothesis may end the fuzzing of an operation on
    # `/payments/{paymentId}` after a few cases (the pool's ids repeat). A pass over each operation
    # left short, alone (no pool: fresh ids), tops it up to the profile's count.
    for operation, takes_input in operations.items():
        if takes_input and counted[operation] < profile.schemathesis_examples:
            _, more = run_schemathesis(
                gateway_url,
                caller,
                tmp_path / operation.replace(" ", "_").replace("/", "_").strip("_"),
                "--include-name",
                operation,
                "--phases",
                "fuzzing",
            )
            counted += more

    print(
        f"\nschemathesis ({profile.name}): "
        + ", ".join(f"{op}={counted[op]}" for op in sorted(operations))
    )
    print(output[output.rfind("Test cases:") :][:200])
    short = {
        operation: counted[operation]
        for operation, takes_input in operations.items()
        if counted[operation] < (profile.schemathesis_examples if takes_input else 1)
    }
    assert not short, f"operations with fewer than {profile.schemathesis_examples} cases: {short}"
