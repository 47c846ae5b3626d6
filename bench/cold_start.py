"""Cold start proxy: fresh-process import time of each handler module vs the two baselines.

Each sample is a new interpreter that imports one module and reports the import's own duration
(and the process's wall time, interpreter start included); modules take turns in a shuffled order
each round. `-X importtime` of each module names the slowest imports.

    python -m bench.cold_start --runs 15 [--json out.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import re
import subprocess
import sys
import time
from typing import Any

from bench.common import REPO_ROOT, machine, markdown_table, median, write_summary

OURS = {
    "api": "payments_tracker.handlers.api",
    "authorizer": "payments_tracker.handlers.authorizer",
    "report": "payments_tracker.handlers.report",
}
BASELINES = {
    "powertools baseline": "bench.baselines.powertools_app",
    "fastapi baseline": "bench.baselines.fastapi_app",
}
PARTS = {"X-Ray SDK alone (what `Tracer()` imports)": "aws_xray_sdk.core"}
REFERENCE = "powertools baseline"
_PROBE = (
    "import importlib, sys, time\n"
    "started = time.perf_counter()\n"
    "importlib.import_module(sys.argv[1])\n"
    "print(time.perf_counter() - started)\n"
)


def modules() -> dict[str, str]:
    """Our handler modules that exist in this tree (report comes with the monthly report), and
    the baselines."""
    present = {name: module for name, module in OURS.items() if _exists(module)}
    return {**present, **BASELINES, **PARTS}


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _environment() -> dict[str, str]:
    # As a Lambda container without tracing: the same for every module measured.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYMENTS_", "POWERTOOLS_"))}
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    env["POWERTOOLS_TRACE_DISABLED"] = "true"
    return env


def import_once(module: str) -> tuple[float, float]:
    """(import seconds, process wall seconds) of one fresh interpreter importing `module`."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, module],
        capture_output=True,
        text=True,
        check=True,
        env=_environment(),
        cwd=REPO_ROOT,
    )
    wall = time.perf_counter() - started
    return float(result.stdout.strip().splitlines()[-1]), wall


def measure(runs: int, seed: int = 11) -> dict[str, dict[str, list[float]]]:
    """Import and wall times (ms) per module, `runs` rounds interleaved; one warm-up round
    fills the bytecode cache so every sample is a warm-disk, cold-interpreter start."""
    targets = modules()
    order = list(targets)
    for module in targets.values():
        import_once(module)
    samples: dict[str, dict[str, list[float]]] = {n: {"import": [], "wall": []} for n in targets}
    shuffle = random.Random(seed).shuffle
    for _ in range(runs):
        shuffle(order)
        for name in order:
            imported, wall = import_once(targets[name])
            samples[name]["import"].append(imported * 1000)
            samples[name]["wall"].append(wall * 1000)
    return samples


def top_imports(module: str, count: int = 10) -> list[tuple[str, float]]:
    """The `count` top-level packages that cost the most import time (ms, their own modules'
    self time summed), from `-X importtime`."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        env=_environment(),
        cwd=REPO_ROOT,
    )
    line_format = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| *(\S+)")
    totals: dict[str, float] = {}
    for line in result.stderr.splitlines():
        match = line_format.match(line)
        if match:
            package = match.group(3).split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(match.group(1)) / 1000
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)[:count]


def summarise(samples: dict[str, dict[str, list[float]]]) -> dict[str, Any]:
    """Median import and wall times (ms), and the import time as a multiple of the reference."""
    reference = median(samples[REFERENCE]["import"])
    rows = [
        {
            "module": name,
            "import_ms": round(median(values["import"]), 1),
            "wall_ms": round(median(values["wall"]), 1),
            "vs_powertools": round(median(values["import"]) / reference, 2),
        }
        for name, values in samples.items()
    ]
    return {"runs": len(samples[REFERENCE]["import"]), "rows": rows}


def table(summary: dict[str, Any]) -> str:
    """Markdown: module, median import ms, median process wall ms, ratio to Powertools."""
    targets = modules()
    rows = [
        [
            f"{row['module']} (`{targets.get(row['module'], '?')}`)",
            row["import_ms"],
            row["wall_ms"],
            f"{row['vs_powertools']}x",
        ]
        for row in summary["rows"]
    ]
    header = ["module", "median import ms", "median process wall ms", "import ÷ Powertools"]
    return markdown_table(header, rows)


def offenders_table(module: str) -> str:
    """Markdown: the slowest direct imports of `module` by cumulative time."""
    rows = [[name, round(ms, 1)] for name, ms in top_imports(module)]
    return markdown_table(["top-level package", "self ms (all its modules)"], rows)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the tables, optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", help="write the summary here")
    args = parser.parse_args(argv)
    summary = summarise(measure(args.runs))
    summary["machine"] = machine()
    summary["offenders"] = {
        name: top_imports(module) for name, module in modules().items() if name not in PARTS
    }
    print(table(summary))
    for name, module in modules().items():
        if name in PARTS:
            continue
        print(f"\n`-X importtime`, {name}:\n")
        print(offenders_table(module))
    write_summary(args.json, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
