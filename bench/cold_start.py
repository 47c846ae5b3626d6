"""Cold start as Lambda pays it: a fresh process imports one handler module, in the function's
environment, beside the Powertools baseline, in two bytecode states and with a first request.

Every sample is a new interpreter started with `-S` (no site-packages) whose path holds only what
the Lambda function has: our package, its runtime dependencies (the closure of
`payments-tracker`'s own requirements, linked from this venv into a scratch "task root") and the
SDK the runtime provides (boto3, botocore and theirs). Nothing else of the venv is importable, so
Powertools' Tracer patches exactly what it would patch on Lambda. The environment is the function's
(`FUNCTION_ENV`, kept equal to infra/ by tests/infra/test_cold_start.py) plus what the Lambda
runtime sets (`LAMBDA_RUNTIME_ENV`): tracing is on, as with `Tracing.ACTIVE`.

Bytecode is never the machine's: each side (module) has its own `PYTHONPYCACHEPREFIX`, so the
`__pycache__` folders of the venv (or their absence under PYTHONDONTWRITEBYTECODE) play no part.

- `cached`: the side's prefix was filled by one import (and one request) before the runs: every
  module imports from bytecode, as if the asset shipped .pyc beside every module.
- `source`: the side's prefix holds the bytecode of the standard library and of the runtime's SDK
  only (the union of what any side imports from them, copied to every side), and nothing is
  written (PYTHONDONTWRITEBYTECODE=1, as /var/task is read-only): our package and every bundled
  dependency compile from source in every run. This is what Lambda runs today.
- `+ first request`: import, then the first `POST /payments` through the handler (Logger, Tracer
  and Metrics decorators included) with DynamoDB stubbed at botocore's HTTP layer
  (`stub_storage` in the probe), so each side's own client — created at import or on the first
  request — serves it; work moved from import to the first request shows here.

Each round runs every (module, state, request) sample once, in a shuffled order.

    python -m bench.cold_start --runs 15 [--json out.json]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

from bench.common import (
    REPO_ROOT,
    machine,
    markdown_table,
    median,
    post_payments_event,
    submission,
    write_summary,
)

OURS = {
    "api": "payments_tracker.handlers.api",
    "authorizer": "payments_tracker.handlers.authorizer",
    "report": "payments_tracker.handlers.report",
}
BASELINES = {"powertools baseline": "bench.baselines.powertools_app"}
REFERENCE = "powertools baseline"
SERVES_POST_PAYMENTS = ("api", "powertools baseline")
"""The modules whose `handler` answers `POST /payments`: measured with a first request too."""
STATES = ("cached", "source")
PROJECT = "payments-tracker"
SDK_DISTRIBUTIONS = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
)
"""What the Lambda python3.13 runtime provides (infra/bundling.py RUNTIME_PROVIDED)."""

POWERTOOLS_ENV = {
    "POWERTOOLS_SERVICE_NAME": "payments-tracker",
    "POWERTOOLS_METRICS_NAMESPACE": "PaymentsTracker",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_LOGGER_LOG_EVENT": "false",
}
FUNCTION_ENV: dict[str, dict[str, str]] = {
    "api": {
        **POWERTOOLS_ENV,
        "PAYMENTS_TABLE_NAME": "payments",
        "PAYMENTS_CURSOR_KEY": "bench-cursor-key-not-a-secret",
        "PAYMENTS_CORS_ALLOWED_ORIGINS": "https://d111111abcdef8.cloudfront.net",
        "PAYMENTS_ENABLE_SWAGGER": "false",
    },
    "authorizer": {
        **POWERTOOLS_ENV,
        "PAYMENTS_ISSUER": "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_bench",
        "PAYMENTS_JWKS_URL": (
            "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_bench/.well-known/jwks.json"
        ),
        "PAYMENTS_ALLOWED_CLIENT_IDS": "webclientbench,cliclientbench",
    },
    "report": {
        **POWERTOOLS_ENV,
        "PAYMENTS_TABLE_NAME": "payments",
        "PAYMENTS_EXPORT_BUCKET": "payments-tracker-exports-bench",
    },
}
"""What infra/stacks (api.py, reports.py, common.py) set on each function, with stand-in values
for the deploy-time references; the baseline runs with the api's."""
LAMBDA_RUNTIME_ENV = {
    "AWS_REGION": "eu-west-2",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_LAMBDA_LOG_FORMAT": "JSON",
    "AWS_LAMBDA_LOG_LEVEL": "INFO",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    # Loopback, where nothing listens: the X-Ray SDK's UDP datagrams go nowhere.
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "_AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1",
    "_AWS_XRAY_DAEMON_PORT": "2000",
    "_X_AMZN_TRACE_ID": (
        "Root=1-6747a1b2-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1"
    ),
    # Lambda puts the role's session credentials in the environment: nothing is looked up.
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",  # AWS docs' example
    "AWS_SESSION_TOKEN": "bench",
    "TZ": ":UTC",
    "LANG": "en_US.UTF-8",
}

_PROBE = r"""
import importlib, json, os, sys, time


def stub_storage():
    # DynamoDB without a network: botocore's HTTP send answers every call with 200 `{}` (a
    # TransactWriteItems that went through), so each side's own client serves the request,
    # whenever and however it was created. Adapt here if the storage wiring changes.
    from botocore.awsrequest import AWSResponse
    from botocore.httpsession import URLLib3Session

    class Raw:
        def stream(self, **_):
            yield b"{}"

    def send(self, request):
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "bench"}
        return AWSResponse(request.url, 200, headers, Raw())

    URLLib3Session.send = send


class Context:
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:" + function_name
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self):
        return 10_000


event = json.loads(sys.argv[2]) if len(sys.argv) > 2 else None
started = time.perf_counter()
module = importlib.import_module(sys.argv[1])
imported = time.perf_counter()
status = 0
if event is not None:
    stub_storage()
    real_stdout, sys.stdout = sys.stdout, open(os.devnull, "w")  # Metrics' EMF lines
    try:
        status = module.handler(event, Context())["statusCode"]
    finally:
        sys.stdout = real_stdout
answered = time.perf_counter()
print(json.dumps({"import": imported - started, "request": answered - started, "status": status}))
"""


@dataclass(frozen=True)
class Sample:
    """One measured configuration: a module, a bytecode state, with or without a first request."""

    name: str
    state: str
    request: bool

    @property
    def key(self) -> str:
        """`<name>|<state>|import` or `…|request`: the samples' key in the JSON summary."""
        return f"{self.name}|{self.state}|{'request' if self.request else 'import'}"


def targets() -> dict[str, str]:
    """Name → module: our handler modules that exist in this tree, and the baseline."""
    present = {name: module for name, module in OURS.items() if _exists(module)}
    return {**present, **BASELINES}


def _exists(module: str) -> bool:
    path = SOURCES[0] / Path(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def samples_of_a_round() -> list[Sample]:
    """Every configuration measured once per round."""
    return [
        Sample(name, state, request)
        for name in targets()
        for state in STATES
        for request in ((False, True) if name in SERVES_POST_PAYMENTS else (False,))
    ]


# --- the Lambda-like task root -------------------------------------------------------------


def _closure(project: str = PROJECT) -> set[str]:
    """Normalised names of the distributions `project` needs at run time (no extras of its own),
    following the extras its requirements ask for (e.g. `aws-lambda-powertools[tracer]`)."""
    seen: set[str] = set()
    pending: list[tuple[str, frozenset[str]]] = [(project, frozenset())]
    while pending:
        name, extras = pending.pop()
        for text in importlib.metadata.requires(name) or []:
            requirement = Requirement(text)
            marker = requirement.marker
            wanted = (
                marker is None
                or any(marker.evaluate({"extra": extra}) for extra in extras)
                or (not extras and marker.evaluate({"extra": ""}))
            )
            if not wanted:
                continue
            key = _normalise(requirement.name)
            if (key, frozenset(requirement.extras)) in {(k, frozenset()) for k in seen} and (
                not requirement.extras
            ):
                continue
            seen.add(key)
            pending.append((requirement.name, frozenset(requirement.extras)))
    return seen


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _top_level_names(distribution: str) -> set[str]:
    """The importable top-level names a distribution installs (packages and single modules)."""
    files = importlib.metadata.files(distribution) or []
    names = set()
    for file in files:
        first = file.parts[0]
        if first.endswith((".dist-info", ".data")) or first in {"..", "bin", "__pycache__"}:
            continue
        if len(file.parts) == 1:
            if file.suffix in {".py", ".so"} or ".cpython-" in file.name:
                names.add(first)
        else:
            names.add(first)
    return names


def build_task_root(root: Path) -> dict[str, list[Path]]:
    """Link every run-time distribution's top-level names from this venv into `root`.

    Returns {"sdk": [...], "bundled": [...]}: the linked paths the runtime provides, and the
    ones the asset carries."""
    site = Path(sysconfig.get_paths()["purelib"])
    linked: dict[str, list[Path]] = {"sdk": [], "bundled": []}
    for distribution in sorted(_closure()):
        kind = "sdk" if distribution in SDK_DISTRIBUTIONS else "bundled"
        for name in sorted(_top_level_names(distribution)):
            source = site / name
            if not source.exists():
                continue
            link = root / name
            if not link.exists():
                link.symlink_to(source, target_is_directory=source.is_dir())
            linked[kind].append(link)
    return linked


# --- running one sample --------------------------------------------------------------------


SOURCES = [REPO_ROOT / "src"]
"""Where `payments_tracker` is imported from (`--src` points at a candidate copy instead)."""


def environment(name: str, prefix: Path, task_root: Path, *, write: bool) -> dict[str, str]:
    """The function's environment for `name`, with its own bytecode prefix."""
    function = name if name in FUNCTION_ENV else "api"
    env = {key: os.environ[key] for key in ("PATH", "HOME", "SYSTEMROOT") if key in os.environ}
    env.update(LAMBDA_RUNTIME_ENV)
    env.update(FUNCTION_ENV[function])
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": f"payments-tracker-{function}",
            "LAMBDA_TASK_ROOT": str(task_root),
            "PYTHONPATH": os.pathsep.join(
                [str(task_root), *(str(path) for path in SOURCES), str(REPO_ROOT)]
            ),
            "PYTHONPYCACHEPREFIX": str(prefix),
            "PYTHONDONTWRITEBYTECODE": "0" if write else "1",
            "PYTHONHASHSEED": "0",
        }
    )
    return env


def run_probe(
    module: str, env: dict[str, str], event: dict[str, Any] | None, cwd: Path
) -> dict[str, float]:
    """Import seconds, import-plus-request seconds and the status of one fresh interpreter."""
    command = [sys.executable, "-S", "-c", _PROBE, module]
    if event is not None:
        command.append(json.dumps(event))
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env, cwd=cwd)
    if result.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{result.stderr[-3000:]}")
    measured: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    if event is not None and measured["status"] != 201:
        raise RuntimeError(f"{module} answered {measured['status']}, not 201:\n{result.stderr}")
    return measured


def _payment_event() -> dict[str, Any]:
    return post_payments_event(submission())


@dataclass
class Workspace:
    """The scratch task root and each side's two bytecode prefixes."""

    root: Path
    task_root: Path

    def prefix(self, name: str, state: str) -> Path:
        """The bytecode prefix of one side in one state."""
        return self.root / "pycache" / name.replace(" ", "-") / state


def _under(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root + os.sep) for root in roots)


def prepare(workspace: Workspace, sdk: list[Path]) -> None:
    """Fill each side's `cached` prefix with one import (and one request where it serves one),
    then give each side a `source` prefix with the standard library's and the SDK's bytecode."""
    for name, module in targets().items():
        env = environment(name, workspace.prefix(name, "cached"), workspace.task_root, write=True)
        event = _payment_event() if name in SERVES_POST_PAYMENTS else None
        run_probe(module, env, event, workspace.task_root)
    paths = sysconfig.get_paths()
    stdlib = {paths["stdlib"], paths["platstdlib"]}
    provided = sorted(stdlib | {os.path.realpath(path) for path in stdlib})
    provided += [str(path) for path in sdk]
    runtime_bytecode = workspace.root / "pycache" / "runtime"
    for name in targets():
        cached = workspace.prefix(name, "cached")
        for pyc in cached.rglob("*.pyc"):
            # The prefix mirrors the source's folder: <prefix>/<folder>/<name>.cpython-3XY.pyc
            relative = pyc.relative_to(cached)
            source = os.sep + str(relative.parent / (pyc.name.split(".", 1)[0] + ".py"))
            if _under(source, provided):
                copy = runtime_bytecode / pyc.relative_to(cached)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(pyc, copy)
    for name in targets():
        shutil.copytree(runtime_bytecode, workspace.prefix(name, "source"))


@contextmanager
def workspace() -> Iterator[Workspace]:
    """A scratch directory with the task root and the prefixes, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="cold-start-") as scratch:
        root = Path(scratch)
        task_root = root / "task"
        task_root.mkdir()
        linked = build_task_root(task_root)
        space = Workspace(root, task_root)
        prepare(space, linked["sdk"])
        yield space


def measure(runs: int, seed: int = 11) -> dict[str, dict[str, list[float]]]:
    """Milliseconds per sample key ("import" and "request"), `runs` shuffled rounds."""
    modules = targets()
    order = samples_of_a_round()
    samples: dict[str, dict[str, list[float]]] = {s.key: {"ms": []} for s in order}
    shuffle = random.Random(seed).shuffle
    with workspace() as space:
        for _ in range(runs):
            shuffle(order)
            for sample in order:
                env = environment(
                    sample.name,
                    space.prefix(sample.name, sample.state),
                    space.task_root,
                    write=False,
                )
                event = _payment_event() if sample.request else None
                measured = run_probe(modules[sample.name], env, event, space.task_root)
                field = "request" if sample.request else "import"
                samples[sample.key]["ms"].append(measured[field] * 1000)
        offenders = {name: top_imports(module, space) for name, module in modules.items()}
    samples["_offenders"] = {"rows": []}
    _OFFENDERS.clear()
    _OFFENDERS.update(offenders)
    return samples


_OFFENDERS: dict[str, dict[str, list[tuple[str, float]]]] = {}


def top_imports(
    module: str, space: Workspace, count: int = 10
) -> dict[str, list[tuple[str, float]]]:
    """`-X importtime` of `module` from its warm prefix: the `count` top-level packages with the
    most own import time (ms, all their modules), and the `count` slowest imports by cumulative
    time (ms, module names as Python prints them)."""
    name = next(n for n, m in targets().items() if m == module)
    env = environment(name, space.prefix(name, "cached"), space.task_root, write=False)
    result = subprocess.run(
        [sys.executable, "-S", "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=space.task_root,
    )
    return parse_importtime(result.stderr, count)


def parse_importtime(stderr: str, count: int = 10) -> dict[str, list[tuple[str, float]]]:
    """{"self": [(top-level package, own ms)], "cumulative": [(module, cumulative ms)]}."""
    line_format = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
    own: dict[str, float] = {}
    cumulative: list[tuple[str, float]] = []
    for line in stderr.splitlines():
        match = line_format.match(line)
        if not match:
            continue
        package = match.group(4).split(".")[0]
        own[package] = own.get(package, 0.0) + int(match.group(1)) / 1000
        cumulative.append((match.group(4), int(match.group(2)) / 1000))
    return {
        "self": sorted(own.items(), key=lambda item: item[1], reverse=True)[:count],
        "cumulative": sorted(cumulative, key=lambda item: item[1], reverse=True)[:count],
    }


# --- summary and tables --------------------------------------------------------------------


def summarise(samples: dict[str, dict[str, list[float]]]) -> dict[str, Any]:
    """Median ms per key and each as a multiple of the baseline's median in the same column."""
    medians = {
        key: median(values["ms"]) for key, values in samples.items() if not key.startswith("_")
    }
    rows = []
    for name in targets():
        row: dict[str, Any] = {"module": name}
        for state in STATES:
            for kind in ("import", "request"):
                key = f"{name}|{state}|{kind}"
                if key not in medians:
                    continue
                reference = medians[f"{REFERENCE}|{state}|{kind}"]
                row[f"{state}_{kind}_ms"] = round(medians[key], 1)
                row[f"{state}_{kind}_ratio"] = round(medians[key] / reference, 2)
        rows.append(row)
    runs = len(next(iter(samples.values()))["ms"])
    return {"runs": runs, "rows": rows}


def table(summary: dict[str, Any]) -> str:
    """Markdown: median ms and ratio to the Powertools baseline, per module and state."""
    modules = targets()
    header = [
        "module",
        "import, bytecode cached",
        "import, from source",
        "import + 1st request, cached",
        "import + 1st request, from source",
    ]
    rows = []
    for row in summary["rows"]:
        cells = [f"{row['module']} (`{modules.get(row['module'], '?')}`)"]
        for state, kind in (
            ("cached", "import"),
            ("source", "import"),
            ("cached", "request"),
            ("source", "request"),
        ):
            ms = row.get(f"{state}_{kind}_ms")
            cells.append("—" if ms is None else f"{ms} ms, **{row[f'{state}_{kind}_ratio']}x**")
        rows.append(cells)
    note = (
        f"Median of {summary['runs']} fresh processes per cell; `Nx` = that median ÷ the"
        " Powertools baseline's median in the same column (target ≤ 0.8x). *Cached*: each side's"
        " own PYTHONPYCACHEPREFIX filled beforehand. *From source*: only the standard library's"
        " and the SDK's (boto3, botocore…) bytecode, nothing written — what Lambda runs today."
    )
    return markdown_table(header, rows) + "\n\n" + note


def offenders_table(offenders: dict[str, list[tuple[str, float]]]) -> str:
    """Markdown: the slowest imports by cumulative time, and packages by own time."""
    slowest = [[f"`{name}`", round(ms, 1)] for name, ms in offenders["cumulative"]]
    return markdown_table(["import (cumulative)", "ms"], slowest)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the tables, optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", help="write the summary here")
    parser.add_argument(
        "--src", type=Path, help="import payments_tracker from this folder (a candidate copy)"
    )
    args = parser.parse_args(argv)
    if args.src:
        SOURCES[:] = [args.src.resolve()]
    samples = measure(args.runs)
    samples.pop("_offenders")
    summary = summarise(samples)
    summary["machine"] = machine()
    summary["offenders"] = {name: found["self"] for name, found in _OFFENDERS.items()}
    summary["slowest_imports"] = {name: found["cumulative"] for name, found in _OFFENDERS.items()}
    print(table(summary))
    for name, found in _OFFENDERS.items():
        print(f"\n`-X importtime`, {name}, bytecode cached:\n")
        print(offenders_table(found))
    write_summary(args.json, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
