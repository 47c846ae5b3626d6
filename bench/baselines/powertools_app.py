"""Baseline: `POST /payments` on Powertools with `enable_validation=True`, as its docs show it.

The body is the same pydantic model (`PaymentSubmission`), validated by Powertools with its default
422 errors; the response is typed `Response[PaymentView]`. Rules a pydantic model cannot state (the
24-month window, minor units per currency, Unicode categories) still need the domain, so the route
calls the same use case as ours. Same Logger/Tracer/Metrics decorators as our handler, so the
difference measured is routing, validation and serialisation.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from payments_tracker.domain.errors import ForbiddenUser, PaymentConflict, ValidationFailed
from payments_tracker.handlers.dependencies import dependencies
from payments_tracker.handlers.models import PaymentSubmission, PaymentView, payment_view
from payments_tracker.handlers.problems import problem
from payments_tracker.service import payments as use_cases

logger = Logger(service="bench-powertools")
tracer = Tracer(service="bench-powertools")
metrics = Metrics(namespace="Bench", service="bench-powertools")
app = APIGatewayRestResolver(enable_validation=True)


@app.post("/payments")
def submit(payment: Annotated[PaymentSubmission, Body()]) -> Response[PaymentView]:
    """Submit one payment of the caller's."""
    caller = str(app.current_event.request_context.authorizer.get("sub") or "")
    deps = dependencies()
    result = use_cases.submit_payment(
        deps.payments, payment.model_dump(mode="json"), caller, deps.clock
    )
    view: Any = payment_view(result.payment)
    if result.created:
        metrics.add_metric(name="PaymentAccepted", unit=MetricUnit.Count, value=1)
        location = f"/v1/payments/{view['paymentId']}"
        return Response(201, "application/json", view, {"Location": location})
    return Response(200, "application/json", view)


@app.exception_handler(ValidationFailed)
def _invalid(error: ValidationFailed) -> Response[Any]:
    return problem(422, "validation", "Validation failed", "", None, errors=error.errors)


@app.exception_handler(ForbiddenUser)
def _forbidden(_: ForbiddenUser) -> Response[Any]:
    return problem(403, "forbidden-user", "Forbidden user", "", None)


@app.exception_handler(PaymentConflict)
def _conflict(_: PaymentConflict) -> Response[Any]:
    return problem(409, "payment-conflict", "Payment id already used", "", None)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point."""
    return app.resolve(event, context)
