"""Baseline: `POST /payments` on Powertools with `enable_validation=True`, as its docs show it.

The body is the same pydantic model (`PaymentSubmission`), validated by Powertools with its default
422 errors; the response is typed `Response[PaymentView]`. Rules a pydantic model cannot state (the
24-month window, minor units per currency, Unicode categories) still need the domain, so the route
calls the same use case as ours. Same Logger/Tracer/Metrics decorators as our handler, so the
difference measured is routing, validation and serialisation. As AWS advises, the service creates
its DynamoDB client (and the repository on it) at import, outside the handler, so a cold start
pays for it and the first request does not (bench/cold_start.py measures both).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from payments_tracker.adapters.dynamodb.repository import DynamoDBPaymentRepository
from payments_tracker.domain.errors import ForbiddenUser, PaymentConflict, ValidationFailed
from payments_tracker.handlers.models import PaymentSubmission, PaymentView, payment_view
from payments_tracker.handlers.problems import problem
from payments_tracker.service import payments as use_cases
from payments_tracker.service.ports import PaymentRepository

logger = Logger(service="bench-powertools")
tracer = Tracer(service="bench-powertools")
metrics = Metrics(namespace="Bench", service="bench-powertools")
app = APIGatewayRestResolver(enable_validation=True)
# The same client settings as ours (adapters/dynamodb/client.py), read from the environment as a
# typical service does; the region comes from the Lambda environment.
dynamodb = boto3.client(
    "dynamodb",
    region_name=os.environ.get("AWS_REGION", "us-east-1"),
    config=Config(
        connect_timeout=1,
        read_timeout=2,
        retries={"mode": "standard", "total_max_attempts": 3},
    ),
)
payments = DynamoDBPaymentRepository(dynamodb, os.environ.get("PAYMENTS_TABLE_NAME", "payments"))


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def storage() -> tuple[PaymentRepository, Callable[[], datetime]]:
    """The repository and clock `submit` uses: the repository made at import, unless a harness
    handed every app the same ports with our `override_api` (bench/handler_overhead.py).

    Looked up in `sys.modules` so that the baseline never imports our composition module."""
    composition = sys.modules.get("payments_tracker.composition.root")
    injected = getattr(composition, "_api_override", None)
    if injected is None:
        return payments, utc_now
    repository: PaymentRepository = injected.payments
    clock: Callable[[], datetime] = injected.clock
    return repository, clock


@app.post("/payments")
def submit(payment: Annotated[PaymentSubmission, Body()]) -> Response[PaymentView]:
    """Submit one payment of the caller's."""
    caller = str(app.current_event.request_context.authorizer.get("sub") or "")
    repository, clock = storage()
    result = use_cases.submit_payment(repository, payment.model_dump(mode="json"), caller, clock)
    view: Any = payment_view(result.payment)
    if result.created:
        metrics.add_metric(name="PaymentAccepted", unit=MetricUnit.Count, value=1)
        location = f"/v1/payments/{view['paymentId']}"
        return Response(201, "application/json", view, {"Location": location})
    return Response(200, "application/json", view)


@app.exception_handler(ValidationFailed)  # type: ignore[untyped-decorator]
def _invalid(error: ValidationFailed) -> Response[Any]:
    return problem(422, "validation", "Validation failed", "", None, errors=error.errors)


@app.exception_handler(ForbiddenUser)  # type: ignore[untyped-decorator]
def _forbidden(_: ForbiddenUser) -> Response[Any]:
    return problem(403, "forbidden-user", "Forbidden user", "", None)


@app.exception_handler(PaymentConflict)  # type: ignore[untyped-decorator]
def _conflict(_: PaymentConflict) -> Response[Any]:
    return problem(409, "payment-conflict", "Payment id already used", "", None)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point."""
    return app.resolve(event, context)
