"""Handler overhead: our `api` vs Powertools(enable_validation=True) vs FastAPI + Mangum.

All three serve `POST /payments` in this one process with the same in-memory repository and a
clock that stands still; calls are interleaved in a shuffled order each round, so load on the shared
machine hits all of them alike. Every valid call creates a new payment (201); every invalid call
breaks the same two field rules (422).

    python -m bench.handler_overhead --calls 20000 [--json out.json] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from tests.support.memory import (
    InMemoryConsentRepository,
    InMemoryCorrections,
    InMemoryReportDocuments,
)

from bench.common import (
    CALLER,
    machine,
    markdown_table,
    median,
    percentile,
    post_payments_event,
    submission,
    write_summary,
)
from payments_tracker.local.invokers import LocalLambdaContext

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
KINDS = ("valid", "invalid")
EXPECTED_STATUS = {"valid": 201, "invalid": 422}
WARMUP_CALLS = 300


def handlers() -> dict[str, Handler]:
    """The three handlers, each wired to one shared in-memory repository."""
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    from tests.support.memory import InMemoryPaymentRepository  # noqa: PLC0415

    from bench.baselines import fastapi_app, powertools_app  # noqa: PLC0415
    from payments_tracker.composition.root import ApiPorts, override_api  # noqa: PLC0415
    from payments_tracker.handlers import api  # noqa: PLC0415
    from payments_tracker.service.cursor import CursorCodec  # noqa: PLC0415

    override_api(
        ApiPorts(
            payments=InMemoryPaymentRepository(monthly_limit=None),
            cursors=CursorCodec(b"bench", 3600),
            consents=InMemoryConsentRepository(),
            reports=InMemoryReportDocuments(),
            corrections=InMemoryCorrections(),
            clock=lambda: NOW,
        )
    )
    return {
        "ours": api.handler,
        "powertools": powertools_app.handler,
        "fastapi": fastapi_app.handler,
    }


def breakdown_handlers() -> dict[str, Handler]:
    """Where the time goes: each app without the shared Logger/Tracer/Metrics decorators, and
    the domain use case alone (JSON parse, every rule, store, view, JSON dump) with no HTTP."""
    from bench.baselines import fastapi_app, powertools_app  # noqa: PLC0415
    from payments_tracker.composition.root import api as dependencies  # noqa: PLC0415
    from payments_tracker.domain.errors import ValidationFailed  # noqa: PLC0415
    from payments_tracker.handlers import api  # noqa: PLC0415
    from payments_tracker.handlers.models import payment_view  # noqa: PLC0415
    from payments_tracker.service import payments as use_cases  # noqa: PLC0415

    def domain_only(event: dict[str, Any], _: Any) -> dict[str, Any]:
        deps = dependencies()
        try:
            result = use_cases.submit_payment(
                deps.payments, json.loads(event["body"]), CALLER, deps.clock
            )
        except ValidationFailed:
            return {"statusCode": 422}
        json.dumps(payment_view(result.payment))
        return {"statusCode": 201}

    return {
        "ours-resolve": api.app.resolve,
        "powertools-resolve": powertools_app.app.resolve,
        "fastapi-mangum": fastapi_app._mangum,
        "domain-only": domain_only,
    }


@contextlib.contextmanager
def stdout_discarded() -> Iterator[None]:
    """Metrics flush EMF lines to stdout on every call: send them to /dev/null, for all alike."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        yield


def _event(kind: str) -> dict[str, Any]:
    return post_payments_event(submission(str(uuid.uuid4()), valid=kind == "valid"))


def measure(calls: int, seed: int = 7) -> dict[str, dict[str, list[float]]]:
    """Microseconds per call, by handler and body kind, over `calls` interleaved rounds."""
    targets = {**handlers(), **breakdown_handlers()}
    context = LocalLambdaContext("api")
    pairs = [(name, kind) for name in targets for kind in KINDS]
    samples: dict[str, dict[str, list[float]]] = {name: {k: [] for k in KINDS} for name in targets}
    shuffle = random.Random(seed).shuffle
    clock = time.perf_counter_ns
    with stdout_discarded():
        for name, kind in pairs * WARMUP_CALLS:
            _check(name, kind, targets[name](_event(kind), context))
        for _ in range(calls):
            shuffle(pairs)
            for name, kind in pairs:
                event = _event(kind)
                started = clock()
                answer = targets[name](event, context)
                elapsed = clock() - started
                _check(name, kind, answer)
                samples[name][kind].append(elapsed / 1000)
    return samples


def _check(name: str, kind: str, answer: dict[str, Any]) -> None:
    if answer["statusCode"] != EXPECTED_STATUS[kind]:
        raise AssertionError(f"{name}/{kind}: {answer['statusCode']} {answer.get('body')}")


def summarise(samples: dict[str, dict[str, list[float]]]) -> dict[str, Any]:
    """Median and p99 (µs) per handler and kind, as multiples of ours (of ours' resolve alone,
    for the breakdown rows)."""
    summary: dict[str, Any] = {"calls": len(samples["ours"]["valid"]), "rows": []}
    for kind in KINDS:
        for name in samples:
            values = samples[name][kind]
            reference = samples["ours" if name in MAIN else "ours-resolve"][kind]
            summary["rows"].append(
                {
                    "handler": name,
                    "body": kind,
                    "median_us": round(median(values), 1),
                    "p99_us": round(percentile(values, 0.99), 1),
                    "median_vs_ours": round(median(values) / median(reference), 2),
                    "p99_vs_ours": round(percentile(values, 0.99) / percentile(reference, 0.99), 2),
                }
            )
    return summary


LABELS = {
    "ours": "ours (`handlers/api.py`)",
    "powertools": "Powertools `enable_validation=True`",
    "fastapi": "FastAPI + Mangum",
    "ours-resolve": "ours, `app.resolve` only",
    "powertools-resolve": "Powertools validation, `app.resolve` only",
    "fastapi-mangum": "FastAPI + Mangum, no decorators",
    "domain-only": "domain use case alone (no HTTP)",
}
MAIN = ("ours", "powertools", "fastapi")


def table(summary: dict[str, Any], *, breakdown: bool = False) -> str:
    """The Markdown table: absolute µs and each handler's time as a multiple of ours."""
    chosen = [r for r in summary["rows"] if (r["handler"] in MAIN) != breakdown]
    rows = [
        [
            LABELS[row["handler"]],
            row["body"],
            row["median_us"],
            row["p99_us"],
            f"{row['median_vs_ours']}x",
            f"{row['p99_vs_ours']}x",
        ]
        for row in chosen
    ]
    header = ["handler", "body", "median µs", "p99 µs", "median ÷ ours", "p99 ÷ ours"]
    return markdown_table(header, rows)


def profile_ours(calls: int) -> str:
    """cProfile of our handler on valid bodies: where the time goes (top 25 by cumulative)."""
    target = handlers()["ours"]
    context = LocalLambdaContext("api")
    events = [_event("valid") for _ in range(calls)]
    profiler = cProfile.Profile()
    with stdout_discarded():
        profiler.enable()
        for event in events:
            target(event, context)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--json", help="write the summary here")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of ours")
    args = parser.parse_args(argv)
    summary = summarise(measure(args.calls))
    summary["machine"] = machine()
    print(table(summary))
    print()
    print(table(summary, breakdown=True))
    write_summary(args.json, summary)
    if args.profile:
        print(profile_ours(min(args.calls, 5000)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
