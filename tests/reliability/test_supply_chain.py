"""Supply chain and code: pip-audit on the locked runtime dependencies, bandit on src/.

bandit: every finding must sit on a line whose `# noqa: S<nnn> - <reason>` acknowledges the same
check for ruff's flake8-bandit port (B603 ↔ S603, …): the reason is written where the code is, and
docs/reliability.md lists them. B404 (`import subprocess`) is skipped: the dev-tooling modules that
import it start java/node/npm with argument lists, never a shell, and each call carries its S603.

pip-audit: `--vulnerability-service pypi` over `uv export` of the lock (runtime group only). Where
the registry does not serve PyPI's per-version JSON (this workplace's mirror answers 404 for it, so
pip-audit reports every package "not found"), the project's JSON is read instead: its
`vulnerabilities` describe the latest release, so they count for a pin that is the latest.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from payments_tracker.local.services import PROJECT_ROOT

BIN = Path(sys.executable).parent
SKIPPED_BANDIT_TESTS = ("B404",)


def uv() -> str:
    tools = PROJECT_ROOT / ".tools" / "bin" / "uv"
    found = str(tools) if tools.is_file() else shutil.which("uv")
    if found is None:
        pytest.fail("uv is missing: run `make setup`")
    return found


def test_bandit_finds_nothing_in_src_that_is_not_acknowledged_with_a_reason() -> None:
    completed = subprocess.run(
        [
            str(BIN / "bandit"),
            "-q",
            "-r",
            "src",
            "-f",
            "json",
            "--skip",
            ",".join(SKIPPED_BANDIT_TESTS),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(completed.stdout)
    assert not report["errors"], report["errors"]
    unacknowledged = []
    for finding in report["results"]:
        line = (
            Path(PROJECT_ROOT / finding["filename"])
            .read_text(encoding="utf-8")
            .splitlines()[finding["line_number"] - 1]
        )
        ruff_code = "S" + finding["test_id"][1:]
        if not re.search(rf"noqa: [A-Z0-9, ]*{ruff_code}\b[^-]*- \S", line):
            unacknowledged.append(
                f"{finding['filename']}:{finding['line_number']} {finding['test_id']}"
            )
    print(f"\nbandit: {len(report['results'])} findings, each acknowledged with a reason")
    assert not unacknowledged, unacknowledged


def test_pip_audit_finds_no_known_vulnerability_in_the_locked_runtime_dependencies(
    tmp_path: Path,
) -> None:
    requirements = tmp_path / "requirements.txt"
    exported = subprocess.run(
        [uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    requirements.write_text(exported.stdout, encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", exported.stdout, re.MULTILINE))
    completed = subprocess.run(
        [
            str(BIN / "pip-audit"),
            "--requirement",
            str(requirements),
            "--no-deps",
            "--disable-pip",
            "--vulnerability-service",
            "pypi",
            "--format",
            "json",
            "--progress-spinner",
            "off",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(completed.stdout)
    vulnerable = {
        d["name"]: [v["id"] for v in d["vulns"]] for d in report["dependencies"] if d.get("vulns")
    }
    assert not vulnerable, vulnerable
    skipped = [d["name"] for d in report["dependencies"] if "skip_reason" in d]
    audited = len(report["dependencies"]) - len(skipped)

    fallback_vulnerable: dict[str, list[str]] = {}
    not_latest: list[str] = []
    for name in skipped:
        url = f"https://pypi.org/pypi/{name}/json"
        with urllib.request.urlopen(url, timeout=30) as response:
            project = json.load(response)
        pinned = next(v for k, v in pins.items() if k.lower().replace("_", "-") == name)
        if project["info"]["version"] != pinned:
            not_latest.append(f"{name} {pinned} (latest {project['info']['version']})")
            continue
        ids = [v["id"] for v in project.get("vulnerabilities", []) if not v.get("withdrawn")]
        if ids:
            fallback_vulnerable[name] = ids
    print(
        f"\npip-audit: {len(pins)} runtime pins; {audited} audited by pip-audit (pypi service), "
        f"{len(skipped) - len(not_latest)} via the project JSON (pin = latest), "
        f"{len(not_latest)} not auditable here: {not_latest}"
    )
    assert not fallback_vulnerable, fallback_vulnerable
