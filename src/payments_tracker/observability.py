"""Logs, traces and metrics of the three functions (api, authorizer, report), set up once.

Every function logs JSON through the same Powertools `Logger` and publishes EMF metrics through
the same `Metrics`, under one service name and one namespace (infra/ and the local stack set the
same names in the functions' environment). Traces come from Lambda's own active tracing (each
invocation's segment) and API Gateway's: no X-Ray SDK in the functions, whose import alone was a
third of a cold start (docs/adr/0006-cold-start.md). Logs never carry a
token, a description, an amount, an e-mail or a statement line: an unexpected error is logged by
its type and frames only (`stack_frames`).
"""

from __future__ import annotations

import traceback
import warnings
from typing import Final

from aws_lambda_powertools import Logger, Metrics

SERVICE_NAME: Final = "payments-tracker"
METRICS_NAMESPACE: Final = "PaymentsTracker"

logger = Logger(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)

# A call that published nothing (a read) flushes no metric: expected, not a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def stack_frames(error: BaseException) -> str:
    """The traceback's frames (file, line, function) only.

    Never the message or the source lines: either may hold a description, an amount or a token.
    """
    return "\n".join(
        f"  {frame.filename}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)
    )
