"""Baseline: `POST /payments` on FastAPI behind Mangum, as their docs show it.

The body is the same pydantic model, validated by FastAPI with its default 422 errors, the response
model is `PaymentView`; the route is `async` (a sync route would pay for a thread hop) and Mangum's
lifespan is off (on, it runs a lifespan cycle on every invocation): the strongest plain setup.
The route calls the same use case as ours; same Logger/Tracer/Metrics decorators as our handler.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from mangum import Mangum

from payments_tracker.composition.root import api as dependencies
from payments_tracker.domain.errors import ForbiddenUser, PaymentConflict, ValidationFailed
from payments_tracker.handlers.models import PaymentSubmission, PaymentView, payment_view
from payments_tracker.handlers.problems import problem_body
from payments_tracker.service import payments as use_cases

logger = Logger(service="bench-fastapi")
tracer = Tracer(service="bench-fastapi")
metrics = Metrics(namespace="Bench", service="bench-fastapi")
app = FastAPI(title="bench")


@app.post("/payments", status_code=201, response_model=PaymentView)
async def submit(payment: PaymentSubmission, request: Request, response: Response) -> Any:
    """Submit one payment of the caller's."""
    caller = str(request.scope["aws.event"]["requestContext"]["authorizer"].get("sub") or "")
    deps = dependencies()
    result = use_cases.submit_payment(
        deps.payments, payment.model_dump(mode="json"), caller, deps.clock
    )
    view = payment_view(result.payment)
    if result.created:
        metrics.add_metric(name="PaymentAccepted", unit=MetricUnit.Count, value=1)
        response.headers["Location"] = f"/v1/payments/{view['paymentId']}"
    else:
        response.status_code = 200
    return view


def _problem(status: int, slug: str, title: str, error: Any = None) -> JSONResponse:
    errors = getattr(error, "errors", None)
    body = problem_body(status, slug, title, "", None, errors=errors)
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


@app.exception_handler(ValidationFailed)
async def _invalid(_: Request, error: ValidationFailed) -> JSONResponse:
    return _problem(422, "validation", "Validation failed", error)


@app.exception_handler(ForbiddenUser)
async def _forbidden(_: Request, __: ForbiddenUser) -> JSONResponse:
    return _problem(403, "forbidden-user", "Forbidden user")


@app.exception_handler(PaymentConflict)
async def _conflict(_: Request, __: PaymentConflict) -> JSONResponse:
    return _problem(409, "payment-conflict", "Payment id already used")


_mangum = Mangum(app, lifespan="off")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point."""
    answer: dict[str, Any] = _mangum(event, context)  # type: ignore[arg-type]  # same fields
    return answer
