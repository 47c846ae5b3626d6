"""Synthesise the CDK app once per test session: jsii start-up and bundling are slow.

`synthesized` is the app exactly as `make synth` builds it (nag checks and acknowledgements on);
`raw_nag_findings` is a second synthesis with no acknowledgements, for the stale-ack test. The app
reads the built page from web/dist, so both first run `make web`, as `make synth` does (a no-op
when web/dist is current).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk import App  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402
from infra.app import build_app, build_deployment  # noqa: E402
from infra.deployment import Deployment  # noqa: E402


@dataclass(frozen=True)
class Synthesized:
    """The deployment, where its cloud assembly went, and each stack's template."""

    deployment: Deployment
    outdir: Path
    templates: dict[str, dict[str, Any]]

    def template(self, stack: str) -> Template:
        """The assertions view of one stack's template (Auth, Data, Api, Reports, Observability)."""
        return Template.from_json(self.templates[stack])

    def resources(self, stack: str, resource_type: str) -> dict[str, dict[str, Any]]:
        """Logical id → resource, for every resource of one type in one stack."""
        return {
            logical_id: resource
            for logical_id, resource in self.templates[stack]["Resources"].items()
            if resource["Type"] == resource_type
        }


def _synthesize(deployment: Deployment, outdir: Path) -> dict[str, dict[str, Any]]:
    assembly = deployment.app.synth()
    return {
        stack.stack_name.removeprefix("PaymentsTracker"): stack.template
        for stack in assembly.stacks
    }


@pytest.fixture(scope="session")
def built_page() -> Path:
    """web/dist, built by `make web` exactly as `make synth` builds it before synthesising."""
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is missing: the infra tests build the web page with `make web`")
    completed = subprocess.run(
        [make, "--no-print-directory", "-C", str(REPO_ROOT), "web"],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(f"make web failed:\n{completed.stdout}{completed.stderr}")
    return REPO_ROOT / "web" / "dist"


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory, built_page: Path) -> Synthesized:
    """`make synth`'s app, synthesised (and so nag-checked) once for the whole session."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    deployment = build_app(App(outdir=str(outdir)))
    return Synthesized(deployment, outdir, _synthesize(deployment, outdir))


@pytest.fixture(scope="session")
def raw_nag_findings(
    tmp_path_factory: pytest.TempPathFactory, built_page: Path
) -> set[tuple[str, str]]:
    """(construct path, finding id) of every AwsSolutions finding, before any acknowledgement."""
    outdir = tmp_path_factory.mktemp("cdk.out.unacknowledged")
    deployment = build_deployment(App(outdir=str(outdir)))
    deployment.app.synth()  # resolve cross-stack references as the real synthesis does
    report = AwsSolutionsChecks().validate_scope(deployment.app)
    return {
        (resource.construct_path, violation.rule_name)
        for violation in report.violations
        for resource in violation.violating_resources
        if resource.construct_path
    }
