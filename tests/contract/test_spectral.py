"""The contract passes Spectral's OWASP API Security ruleset (issue 11, point 12).

`.spectral.yaml` extends the ruleset; what it turns off is an acknowledgement, each with its reason
in the comment lines above it. The committed document must lint clean (no error, no warning), and
every acknowledgement must still match a finding of the bare ruleset: an acknowledgement whose
finding was fixed is stale and fails here, to be removed.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from payments_tracker.local.services import PROJECT_ROOT

OPENAPI = PROJECT_ROOT / "docs" / "api" / "openapi.json"
RULESET = PROJECT_ROOT / ".spectral.yaml"
SPECTRAL = PROJECT_ROOT / "node_modules" / ".bin" / "spectral"
OWASP_RULESET = (
    PROJECT_ROOT / "node_modules" / "@stoplight" / "spectral-owasp-ruleset" / "dist" / "ruleset.mjs"
)
OWASP_PACKAGE = "@stoplight/spectral-owasp-ruleset"


@dataclass(frozen=True)
class Acknowledgement:
    """A rule turned off, everywhere (`pointer` None) or at one JSON pointer of the document."""

    rule: str
    pointer: str | None
    reason: str


def lint(ruleset: Path) -> list[dict[str, Any]]:
    """Spectral's findings (all severities) on the committed document with `ruleset`."""
    if not SPECTRAL.exists():
        pytest.fail("node_modules/.bin/spectral is missing: run `make setup` (npm ci)")
    completed = subprocess.run(
        [str(SPECTRAL), "lint", str(OPENAPI), "--ruleset", str(ruleset), "--format", "json", "-q"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    start = completed.stdout.find("[")
    assert start >= 0, completed.stdout + completed.stderr
    findings: list[dict[str, Any]]
    findings, _ = json.JSONDecoder().raw_decode(completed.stdout[start:])
    return findings


def pointer_of(path: list[str | int]) -> str:
    """The JSON pointer (with `#`) of a finding's path."""
    return "#/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _reason_above(lines: list[str], index: int) -> str:
    comments: list[str] = []
    while index > 0 and lines[index - 1].strip().startswith("#"):
        index -= 1
        comments.insert(0, lines[index].strip().lstrip("#").strip())
    return " ".join(comments)


def acknowledgements() -> list[Acknowledgement]:
    """Every acknowledgement of .spectral.yaml with the comment written above it."""
    text = RULESET.read_text(encoding="utf-8")
    lines = text.splitlines()
    config = yaml.safe_load(text)
    assert set(config) <= {"extends", "rules", "overrides"}, set(config)
    assert config["extends"] == [OWASP_PACKAGE]
    found: list[Acknowledgement] = []
    for rule, setting in (config.get("rules") or {}).items():
        assert setting == "off", f"{rule}: only `off`, with a reason, is an acknowledgement"
        index = lines.index(f'  {rule}: "off"')
        found.append(Acknowledgement(rule, None, _reason_above(lines, index)))
    starts = [i for i, line in enumerate(lines) if re.fullmatch(r"  - files:", line)]
    overrides = config.get("overrides") or []
    assert len(starts) == len(overrides)
    for index, override in zip(starts, overrides, strict=True):
        assert set(override) == {"files", "rules"}, override
        for target in override["files"]:
            document, _, pointer = target.partition("#")
            assert document == "docs/api/openapi.json", target
            assert pointer, target
            for rule, setting in override["rules"].items():
                assert setting == "off", f"{rule} at {target}: only `off` acknowledges"
                found.append(Acknowledgement(rule, f"#{pointer}", _reason_above(lines, index)))
    return found


def test_the_contract_passes_the_owasp_ruleset_with_no_error_and_no_warning() -> None:
    findings = lint(RULESET)

    assert findings == [], "\n".join(
        f"{f['code']} {pointer_of(f['path'])}: {f['message']}" for f in findings
    )


def test_each_acknowledgement_has_a_reason_and_still_matches_a_finding(tmp_path: Path) -> None:
    # The bare ruleset, by file path: Spectral resolves a package name from the ruleset's folder.
    bare = tmp_path / "owasp-only.yaml"
    bare.write_text(f'extends:\n  - "{OWASP_RULESET}"\n', encoding="utf-8")
    findings = lint(bare)
    acknowledged = acknowledgements()

    assert acknowledged
    for ack in acknowledged:
        assert ack.reason.startswith("Acknowledged:"), ack
        assert len(ack.reason) > 60, ack
        matches = [
            finding
            for finding in findings
            if finding["code"] == ack.rule
            and (ack.pointer is None or pointer_of(finding["path"]) == ack.pointer)
        ]
        assert matches, f"stale acknowledgement (no finding left): {ack.rule} {ack.pointer}"
    # And nothing else: every finding of the bare ruleset is one that is acknowledged.
    unexplained = [
        f"{finding['code']} {pointer_of(finding['path'])}"
        for finding in findings
        if not any(
            ack.rule == finding["code"]
            and (ack.pointer is None or ack.pointer == pointer_of(finding["path"]))
            for ack in acknowledged
        )
    ]
    assert unexplained == []
