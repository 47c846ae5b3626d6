"""SnapStart hooks: the ports are built before the snapshot, `random` is reseeded after a restore,
and nothing happens where the runtime has no `snapshot_restore_py` (a stand-in module here)."""

from __future__ import annotations

import random
import sys
import types
from collections.abc import Callable

import pytest

from payments_tracker.composition import root


def test_without_the_snapstart_runtime_nothing_is_registered_or_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import raises ImportError
    warmed: list[str] = []

    root.prepare_for_snapshot(lambda: warmed.append("built"))

    assert warmed == []


def test_on_snapstart_the_ports_are_built_before_the_snapshot_and_random_reseeded_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before: list[Callable[[], object]] = []
    after: list[Callable[[], object]] = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = before.append  # type: ignore[attr-defined]
    runtime.register_after_restore = after.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    warmed: list[str] = []

    root.prepare_for_snapshot(lambda: warmed.append("built"))

    assert len(before) == 1
    assert after == [random.seed]
    before[0]()  # what the runtime does before it takes the snapshot
    assert warmed == ["built"]
