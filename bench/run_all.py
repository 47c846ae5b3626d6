"""`make bench`: run every harness, each in its own process, and write docs/benchmarks.md.

    python -m bench.run_all [--quick] [--output docs/benchmarks.md]

`--quick` uses small counts (a minute or two) for trying the harnesses out; its numbers are not
the ones to publish.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import cold_start, end_to_end, handler_overhead, package_size, report
from bench.common import REPO_ROOT, machine, markdown_table, run_quiet


@dataclass(frozen=True)
class Harness:
    """One benchmark: its module, its arguments (full and quick), and its Markdown table."""

    title: str
    module: str
    full: list[str]
    quick: list[str]
    render: Callable[[dict[str, Any]], str]


def _handler_tables(summary: dict[str, Any]) -> str:
    return (
        handler_overhead.table(summary)
        + "\n\nWhere the time goes (same run; each app without the shared Logger/Tracer/Metrics"
        " decorators, and the domain rules alone):\n\n"
        + handler_overhead.table(summary, breakdown=True)
    )


def _cold_tables(summary: dict[str, Any]) -> str:
    parts = [cold_start.table(summary)]
    for name, offenders in summary["offenders"].items():
        rows = [[package, round(ms, 1)] for package, ms in offenders]
        parts.append(
            f"`-X importtime`, {name} — top-level packages by own import time:\n\n"
            + markdown_table(["package", "self ms"], rows)
        )
    return "\n\n".join(parts)


HARNESSES = [
    Harness(
        "Handler overhead (`POST /payments`, in-memory storage)",
        "bench.handler_overhead",
        ["--calls", "20000"],
        ["--calls", "2000"],
        _handler_tables,
    ),
    Harness(
        "Cold start proxy (fresh-process import)",
        "bench.cold_start",
        ["--runs", "15"],
        ["--runs", "3"],
        _cold_tables,
    ),
    Harness("Deployment package (zipped)", "bench.package_size", [], [], package_size.table),
    Harness(
        "Local end to end (16 concurrent clients)",
        "bench.end_to_end",
        ["--clients", "16", "--seconds", "15", "--rounds", "2"],
        ["--clients", "16", "--seconds", "3", "--rounds", "1"],
        end_to_end.table,
    ),
    Harness(
        "Monthly report",
        "bench.report",
        ["--users", "10000", "100000"],
        ["--users", "500", "2000"],
        report.table,
    ),
]


def run(harness: Harness, quick: bool, scratch: Path) -> tuple[str, dict[str, Any]]:
    """Run one harness in a fresh interpreter; its command line and its JSON summary."""
    out = scratch / f"{harness.module}.json"
    arguments = [*(harness.quick if quick else harness.full), "--json", str(out)]
    command = [sys.executable, "-m", harness.module, *arguments]
    print(f"$ {shlex.join(command[1:])}", file=sys.stderr, flush=True)
    print(run_quiet(command), file=sys.stderr, flush=True)
    shown = shlex.join([".venv/bin/python", "-m", harness.module, *arguments[:-2]])
    return shown, json.loads(out.read_text(encoding="utf-8"))


TARGETS_NOTE = Path(__file__).with_name("TARGETS.md")
"""The reading of the tables against docs/design.md §7, appended to the document
(prose, kept by hand)."""


def document(sections: list[tuple[Harness, str, dict[str, Any]]], quick: bool) -> str:
    """docs/benchmarks.md: machine, method, and every table with the command that made it."""
    box = machine()
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench.run_all`); every number below was measured by"
        " the command shown above its table, on this machine, in the run of "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        + (" (**quick mode: small counts, not for publishing**)" if quick else "")
        + ".",
        "",
        f"Machine: `nproc` = {box['nproc']}, CPU {box['cpu']}, Python {box['python']},"
        f" {box['os']}; load average at the end {box['load_average']}. The machine is shared"
        " with other work, so compare the ratios (measured side by side, interleaved, in one"
        " run) rather than the absolute numbers.",
        "",
        "Targets (docs/design.md §7) and how to read each table are in `bench/README.md`.",
        "",
    ]
    for harness, command, summary in sections:
        lines += [f"## {harness.title}", "", f"```\n{command}\n```", ""]
        lines += [harness.render(summary), ""]
    lines.append(TARGETS_NOTE.read_text(encoding="utf-8"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run everything, write the document."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", default=str(REPO_ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--only", nargs="*", help="module names to run (default: all)")
    args = parser.parse_args(argv)
    sections = []
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        for harness in HARNESSES:
            if args.only and harness.module not in args.only:
                continue
            command, summary = run(harness, args.quick, Path(scratch))
            sections.append((harness, command, summary))
    Path(args.output).write_text(document(sections, args.quick), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
