"""What every harness shares: the machine, percentiles, events, and Markdown tables."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
CALLER = "5f0c7a52-3a1e-4c1b-9a55-0c0d2f5e4a11"
PAYMENT_TIMESTAMP = "2026-11-19T10:00:00Z"


def machine() -> dict[str, str]:
    """`nproc`, CPU model, Python version and OS: the line printed above every table."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "load_average": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (`fraction` in 0..1) of `values`."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    """The median."""
    return statistics.median(values)


def submission(payment_id: str | None = None, *, valid: bool = True) -> dict[str, str]:
    """A body of `POST /payments`: a valid one of CALLER's, or one that breaks two field rules."""
    if not valid:
        return {
            "paymentId": "not-a-uuid",
            "userId": CALLER,
            "timestamp": PAYMENT_TIMESTAMP,
            "description": "Netflix",
            "currency": "GBP",
            "amount": "-12.99",
        }
    return {
        "paymentId": payment_id or str(uuid.uuid4()),
        "userId": CALLER,
        "timestamp": PAYMENT_TIMESTAMP,
        "description": "Netflix",
        "currency": "GBP",
        "amount": "12.99",
    }


def post_payments_event(body: dict[str, Any]) -> dict[str, Any]:
    """The REST (v1) proxy event API Gateway sends for `POST /v1/payments` after the authorizer."""
    headers = {"Content-Type": "application/json", "Host": "api.example.com"}
    return {
        "resource": "/payments",
        "path": "/payments",
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/payments",
            "httpMethod": "POST",
            "path": "/v1/payments",
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "apiId": "bench",
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {"principalId": CALLER, "sub": CALLER, "clientId": "cli"},
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def bench_python() -> str:
    """The interpreter of the project's venv (the one running us, in practice)."""
    return sys.executable


def run_quiet(command: list[str], env: dict[str, str] | None = None) -> str:
    """Run a command (no shell) and return its stdout; raise with its stderr on failure."""
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, env=env, cwd=REPO_ROOT
    )
    if result.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed: {result.stderr[-2000:]}")
    return result.stdout


def write_summary(path: str | None, summary: dict[str, Any]) -> None:
    """Write a harness's summary as JSON where `--json` asked (run_all reads it back)."""
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=2)
