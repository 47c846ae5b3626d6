"""cdk-nag acknowledgements are all still needed, and cfn-lint finds nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.infra.conftest import Synthesized

# W3005 (a DependsOn that a Ref/GetAtt already implies) is how CDK orders a function after its
# role's policy; it is redundant, not wrong, and CDK emits it on purpose. W6001 (an output built
# from an import): the Auth stack's sign-up and sign-in links redirect to the web page, whose
# address comes from the hosting stack; they are links for a person, not a re-export.
CFN_LINT_IGNORED = ("W3005", "W6001")


def _covers(acknowledged_path: str, finding_path: str) -> bool:
    """An acknowledgement on a construct covers findings on it and on its children."""
    return finding_path == acknowledged_path or finding_path.startswith(f"{acknowledged_path}/")


def test_every_acknowledgement_still_matches_a_real_finding(
    synthesized: Synthesized, raw_nag_findings: set[tuple[str, str]]
) -> None:
    stale = [
        (ack.path, ack.rule)
        for ack in synthesized.deployment.acknowledgements
        if not any(rule == ack.rule and _covers(ack.path, path) for path, rule in raw_nag_findings)
    ]
    assert not stale, f"acknowledgements that match no finding: {stale}"


def test_every_finding_is_acknowledged(
    synthesized: Synthesized, raw_nag_findings: set[tuple[str, str]]
) -> None:
    # The synthesis in `synthesized` already failed on any unacknowledged finding; this says which.
    acknowledged = synthesized.deployment.acknowledgements
    missing = [
        (path, rule)
        for path, rule in raw_nag_findings
        if not any(ack.rule == rule and _covers(ack.path, path) for ack in acknowledged)
    ]
    assert not missing


def test_acknowledgements_carry_a_reviewable_reason(synthesized: Synthesized) -> None:
    for ack in synthesized.deployment.acknowledgements:
        assert ack.rule.startswith("AwsSolutions-"), ack.rule
        assert len(ack.reason) >= 120, (ack.path, ack.rule)


def test_cfn_lint_finds_nothing_in_any_template(synthesized: Synthesized) -> None:
    templates = sorted(str(path) for path in synthesized.outdir.glob("*.template.json"))
    assert len(templates) == 7  # five stacks, and the web page's hosting and content
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), *templates, "--ignore-checks", *CFN_LINT_IGNORED],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""
