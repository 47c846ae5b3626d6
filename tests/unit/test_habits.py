"""The habits the Makefile and pre-commit keep: the same checks in both, honest `.PHONY` lists.

The pre-commit hooks must run exactly what `make lint typecheck` runs, so a commit that passes the
hooks passes those targets and the two cannot drift apart. The Makefile's side is what make itself
would run (`make -n`, every variable expanded), not a second reading of its syntax.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT_CONFIG = REPO_ROOT / ".pre-commit-config.yaml"
MAKEFILES = [REPO_ROOT / "Makefile", *sorted((REPO_ROOT / "mk").glob("*.mk"))]
_RULE = re.compile(r"^([^\s:#=][^:=]*?)\s*:(?!=)")


def make_commands(*targets: str) -> list[str]:
    """The commands make would run for `targets`, `setup` taken as done (`make -n -o setup`)."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    dry_run = subprocess.run(
        [make, "--dry-run", "--no-print-directory", "--old-file=setup", *targets],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.strip() for line in dry_run.stdout.splitlines() if line.strip()]


def pre_commit_hooks() -> list[dict[str, Any]]:
    """Every hook of .pre-commit-config.yaml, in order."""
    config = yaml.safe_load(PRE_COMMIT_CONFIG.read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def hook_command(hook: dict[str, Any]) -> str:
    """The command line a hook runs: its entry and args (no file names: pass_filenames is off)."""
    return shlex.join([*shlex.split(hook["entry"]), *hook.get("args", [])])


def test_pre_commit_runs_what_make_lint_typecheck_runs() -> None:
    hooks = [hook_command(hook) for hook in pre_commit_hooks()]
    assert hooks == make_commands("lint", "typecheck")


def test_pre_commit_hooks_are_local_and_run_on_the_whole_tree() -> None:
    config = yaml.safe_load(PRE_COMMIT_CONFIG.read_text(encoding="utf-8"))
    # Hook repositories are fetched from the network; local hooks use the locked venv.
    assert [repo["repo"] for repo in config["repos"]] == ["local"] * len(config["repos"])
    for hook in pre_commit_hooks():
        assert hook["language"] == "system", hook["id"]
        # The Makefile checks whole directories; staged file names would narrow (or break) that.
        assert hook["pass_filenames"] is False, hook["id"]


def _rules() -> tuple[set[str], set[str]]:
    """(every target defined in the Makefile and mk/*.mk, every name in a .PHONY list)."""
    targets: set[str] = set()
    phony: set[str] = set()
    for makefile in MAKEFILES:
        for line in makefile.read_text(encoding="utf-8").splitlines():
            match = _RULE.match(line)
            if not match:
                continue
            names = match.group(1).split()
            if names == [".PHONY"]:
                phony.update(line.split(":", 1)[1].split())
            elif not match.group(1).startswith("."):
                targets.update(names)
    return targets, phony


def test_every_target_that_is_no_file_is_phony_and_no_file_target_is() -> None:
    targets, phony = _rules()
    file_targets = {target for target in targets if "/" in target or "$" in target}
    assert sorted(targets - file_targets - phony) == []
    assert sorted(phony & file_targets) == []
    assert sorted(phony - targets) == [], "phony names with no rule"


def test_the_makefiles_say_what_they_are_for_not_which_issue_asked() -> None:
    for makefile in MAKEFILES:
        text = makefile.read_text(encoding="utf-8")
        assert not re.search(r"\bissue\s*#?\d", text, re.IGNORECASE), makefile.name
