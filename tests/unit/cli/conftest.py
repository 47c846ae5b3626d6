"""Fixtures of the CLI's unit tests: a click runner and a local config file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from support.cli_fakes import write_local_config

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_local_config(tmp_path / "config.json")
