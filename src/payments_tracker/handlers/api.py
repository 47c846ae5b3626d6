"""Lambda `api`: the routes of DESIGN §5 on Powertools' REST resolver; rules live in domain/."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.openapi.types import (
    OpenAPIResponse,
    OpenAPIResponseHeader,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from payments_tracker.composition import root
from payments_tracker.composition.settings import get_settings
from payments_tracker.domain.errors import (
    FieldError,
    ForbiddenUser,
    MonthlyLimitReached,
    PaymentConflict,
    PaymentNotFound,
    ValidationFailed,
)
from payments_tracker.domain.identifiers import UUID4_PATTERN
from payments_tracker.domain.months import MONTH_PATTERN
from payments_tracker.domain.payment import MONTHLY_PAYMENT_LIMIT
from payments_tracker.edge import cors
from payments_tracker.handlers.models import (
    MONTH_LENGTH,
    UUID_LENGTH,
    ConsentUpdate,
    ConsentView,
    MonthReport,
    PaymentPage,
    PaymentSubmission,
    PaymentView,
    Problem,
    VoidRequest,
    consent_view,
    payment_view,
)
from payments_tracker.handlers.problems import PROBLEM_CONTENT_TYPE, problem
from payments_tracker.handlers.requests import MAX_BODY_BYTES, RequestRejected, read_json_object
from payments_tracker.observability import logger, metrics, stack_frames, tracer
from payments_tracker.service import consent as consent_cases
from payments_tracker.service import own_reports
from payments_tracker.service import payments as use_cases
from payments_tracker.service.cursor import CURSOR_PATTERN, MAX_CURSOR_LENGTH
from payments_tracker.service.payments import MAX_LIMIT
from payments_tracker.service.ports import CustomerErased, StorageUnavailable

_settings = get_settings()
_origins = list(_settings.cors_allowed_origins)
_cors = (
    CORSConfig(
        allow_origin=_origins[0],
        extra_origins=_origins[1:],
        allow_headers=list(cors.ALLOWED_REQUEST_HEADERS),
        expose_headers=list(cors.EXPOSED_RESPONSE_HEADERS),
        max_age=cors.PREFLIGHT_MAX_AGE_SECONDS,
    )
    if _origins
    else None
)
app = APIGatewayRestResolver(cors=_cors, enable_validation=False)
if _settings.enable_swagger:
    app.enable_swagger(path="/swagger", title="payments-tracker API", version="1.0.0")

RETRY_AFTER_SECONDS = 1
F = TypeVar("F", bound=Callable[..., Any])


def documented(spec: Callable[..., Any]) -> Callable[[F], F]:
    """Give a route the signature of `spec`, so the OpenAPI document shows its typed inputs.

    The route itself reads and checks the request with the domain's rules (one pass, naming each
    rule), which is about twice as cheap as Powertools' validation of the same models.
    """

    def decorate(route: F) -> F:
        route.__signature__ = inspect.signature(spec)  # type: ignore[attr-defined]
        return route

    return decorate


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status, "application/json", json.dumps(body, ensure_ascii=False), headers)


def _header(description: str, schema: dict[str, Any]) -> OpenAPIResponseHeader:
    return {"description": description, "schema": schema}


_ALLOW_ORIGIN = _header(
    "The request's `Origin`, when it is one of the allowed origins (CORS)",
    {"type": "string", "format": "uri", "maxLength": 2048},
)
_RETRY_AFTER = _header(
    "Seconds to wait before a retry",
    {"type": "integer", "format": "int32", "minimum": 1, "maximum": 60},
)


def _problem_content(description: str, *, retry_after: bool = False) -> OpenAPIResponse:
    response: OpenAPIResponse = {
        "description": description,
        "content": {PROBLEM_CONTENT_TYPE: {"model": Problem}},
    }
    if retry_after:
        response["headers"] = {
            "Retry-After": _RETRY_AFTER,
            "Access-Control-Allow-Origin": _ALLOW_ORIGIN,
        }
    return response


def _ok(description: str, model: type[BaseModel], *, location: bool = False) -> OpenAPIResponse:
    response: OpenAPIResponse = {
        "description": description,
        "content": {"application/json": {"model": model}},
    }
    if location:
        response["headers"] = {
            "Location": _header(
                "The payment's URL path (`/v1/payments/<paymentId>` on AWS)",
                {"type": "string", "format": "uri-reference", "maxLength": 256},
            ),
            "Access-Control-Allow-Origin": _ALLOW_ORIGIN,
        }
    return response


E = TypeVar("E", bound=Exception)


def on_error(
    kind: type[E],
) -> Callable[[Callable[[E], Response[Any]]], Callable[[E], Response[Any]]]:
    """Register the problem+json answer to an exception (Powertools' decorator, typed)."""
    register: Callable[[Callable[[E], Response[Any]]], Callable[[E], Response[Any]]]
    register = app.exception_handler(kind)
    return register


def _caller() -> str:
    """The caller's Cognito `sub`, put in the request context by the authorizer."""
    authorizer = app.current_event.request_context.authorizer
    return str(authorizer.get("sub") or "")


def _request_id() -> str:
    return app.current_event.request_context.request_id


EDGE_ERRORS: dict[int, OpenAPIResponse] = {
    400: _problem_content("A request the gateway refuses before the API reads it"),
    401: _problem_content(
        "No or invalid access token (answered by the gateway), or the account was closed"
    ),
    403: _problem_content(
        "The token does not grant this route, or the web application firewall blocked the "
        "request (a managed rule or a rate rule; answered by the gateway)"
    ),
    413: _problem_content("Request over API Gateway's 10 MB payload limit (answered by it)"),
    429: _problem_content(
        "Over the stage's request rate or burst (API Gateway throttling): retry later"
    ),
    500: _problem_content("Internal error: quote the `instance` (the request id)"),
    502: _problem_content("The API function failed to answer (answered by the gateway)"),
    503: _problem_content(
        "The token cannot be checked now, or storage is unavailable: nothing was done; retry "
        "after `Retry-After` seconds",
        retry_after=True,
    ),
    504: _problem_content("The API function did not answer within 29 s (answered by the gateway)"),
}
"""What any operation can answer besides its own errors: the gateway's responses
(gateway_responses.py: 401, 403, 413, 429, 503, and DEFAULT_4XX/5XX with the gateway's own status,
400, 500, 502, 504) and the handler's own 500 and 503. A gateway 404 (unknown route) and 415
(passthrough only; a proxy integration has none) never answer a declared operation."""

_BODY_ERRORS: dict[int, OpenAPIResponse] = {
    400: _problem_content("Malformed or ambiguous JSON (NaN, duplicate keys, not UTF-8)"),
    413: _problem_content(f"Body over {MAX_BODY_BYTES} bytes (8 KiB)"),
    415: _problem_content("A body whose media type is not application/json (UTF-8)"),
    422: _problem_content("A rule of a field is broken; `errors` names each"),
}
"""The answers to a JSON body that cannot be read (handlers/requests.py)."""


def _responses(
    success: dict[int, OpenAPIResponse], errors: dict[int, OpenAPIResponse] | None = None
) -> dict[int, OpenAPIResponse]:
    """An operation's responses: its successes, the edge's errors and its own, by status."""
    return dict(sorted({**success, **EDGE_ERRORS, **(errors or {})}.items()))


def _submit_spec(payment: Annotated[PaymentSubmission, Body()]) -> PaymentView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@app.post(
    "/payments",
    operation_id="submitPayment",
    summary="Submit a payment",
    description="Idempotent on `paymentId`: an identical replay answers 200 with the stored "
    "payment; a different submission with the same `paymentId` answers 409.",
    responses=_responses(
        {
            201: _ok("Stored; `Location` names it", PaymentView, location=True),
            200: _ok("Identical replay: the stored payment, nothing written", PaymentView),
        },
        {
            **_BODY_ERRORS,
            403: _problem_content(
                "`userId` is not the caller (/problems/forbidden-user), or refused by the "
                "gateway or its firewall"
            ),
            409: _problem_content("`paymentId` already holds a different submission"),
            422: _problem_content(
                "A rule of a field is broken; `errors` names each. Also `timestamp` / "
                "`monthly-limit` (/problems/monthly-limit): that month already holds "
                f"{MONTHLY_PAYMENT_LIMIT} payments of yours, the most one customer may store"
            ),
        },
    ),
    tags=["payments"],
)
@documented(_submit_spec)
def submit() -> Response[Any]:
    """Submit one payment of the caller's."""
    event = app.current_event
    body = read_json_object(
        event.headers.get("content-type"), event.body, bool(event.is_base64_encoded)
    )
    deps = root.api()
    result = use_cases.submit_payment(deps.payments, body, _caller(), deps.clock)
    view = payment_view(result.payment)
    if result.created:
        metrics.add_metric(name="PaymentAccepted", unit=MetricUnit.Count, value=1)
        location = _location(view["paymentId"])
        return _json(201, view, {"Location": location})
    metrics.add_metric(name="PaymentReplayed", unit=MetricUnit.Count, value=1)
    return _json(200, view)


def _location(payment_id: str) -> str:
    """`/v1/payments/<id>` on AWS; the stage prefix is whatever the request's own path carries."""
    event = app.current_event
    full_path = event.request_context.path or event.path
    prefix = full_path[: len(full_path) - len(event.path)] if full_path.endswith(event.path) else ""
    return f"{prefix}/payments/{payment_id}"


_PAYMENT_ID = Path(pattern=UUID4_PATTERN, max_length=UUID_LENGTH, description="UUID v4")


def _get_spec(paymentId: Annotated[str, _PAYMENT_ID]) -> PaymentView:  # noqa: N803 (API name)
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@app.get(
    "/payments/<paymentId>",
    operation_id="getPayment",
    summary="Read one of your payments",
    responses=_responses(
        {200: _ok("The payment", PaymentView)},
        {404: _problem_content("No payment of yours with this id")},
    ),
    tags=["payments"],
)
@documented(_get_spec)
def get_payment(paymentId: str) -> Response[Any]:  # noqa: N803 (API name)
    """One payment of the caller's."""
    payment = use_cases.get_payment(root.api().payments, paymentId, _caller())
    return _json(200, payment_view(payment))


def _void_spec(
    paymentId: Annotated[str, _PAYMENT_ID],  # noqa: N803 (API name)
    request: Annotated[VoidRequest, Body()] = None,  # type: ignore[assignment] # optional body
) -> PaymentView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@app.post(
    "/payments/<paymentId>/void",
    operation_id="voidPayment",
    summary="Void one of your payments",
    description="An action on a payment that stays: it is kept, marked `voided` with who, when "
    "and the optional `reason`, and counts nowhere (reports skip it); `GET` still answers it. "
    'The body is optional: none, `{}` or `{"reason": …}`; when one is sent it must be JSON. '
    "Voiding a voided payment changes nothing: 200 with the first voiding and its reason.",
    responses=_responses(
        {200: _ok("The voided payment", PaymentView)},
        {**_BODY_ERRORS, 404: _problem_content("No payment of yours with this id")},
    ),
    tags=["payments"],
)
@documented(_void_spec)
def void_payment(paymentId: str) -> Response[Any]:  # noqa: N803 (API name)
    """Void one payment of the caller's, with the reason of its optional JSON body."""
    event = app.current_event
    request = None
    if event.body:  # no body (or an empty one) asks for a void without a reason
        request = read_json_object(
            event.headers.get("content-type"), event.body, bool(event.is_base64_encoded)
        )
    deps = root.api()
    payment = use_cases.void_payment(
        deps.payments, paymentId, _caller(), deps.clock, deps.closings, request=request
    )
    metrics.add_metric(name="PaymentVoided", unit=MetricUnit.Count, value=1)
    return _json(200, payment_view(payment))


_MONTH_QUERY = Query(pattern=MONTH_PATTERN, max_length=MONTH_LENGTH, description="YYYY-MM")
_LIMIT_QUERY = Query(
    ge=1,
    le=MAX_LIMIT,
    json_schema_extra={"format": "int32"},
    description=f"1-{MAX_LIMIT}, default {use_cases.DEFAULT_LIMIT}; with a cursor, the cursor's",
)
_CURSOR_QUERY = Query(
    pattern=CURSOR_PATTERN,
    max_length=MAX_CURSOR_LENGTH,
    description="`nextCursor` of the previous page",
)


def _list_spec(
    month: Annotated[str, _MONTH_QUERY],
    # Optional, not nullable: `None` only marks them optional in the document.
    limit: Annotated[int, _LIMIT_QUERY] = None,  # type: ignore[assignment]  # noqa: RUF013
    cursor: Annotated[str, _CURSOR_QUERY] = None,  # type: ignore[assignment]  # noqa: RUF013
) -> PaymentPage:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@app.get(
    "/payments",
    operation_id="listPayments",
    summary="List your payments of a month, newest first",
    responses=_responses(
        {200: _ok("A page", PaymentPage)},
        {400: _problem_content("Bad month, limit or cursor; `errors` names each")},
    ),
    tags=["payments"],
)
@documented(_list_spec)
def list_payments() -> Response[Any]:
    """The caller's payments of a month."""
    event = app.current_event
    query = _single_valued_query(event.multi_value_query_string_parameters or {})
    deps = root.api()
    page = use_cases.list_payments(deps.payments, deps.cursors, _caller(), query, deps.clock)
    return _json(
        200,
        {"items": [payment_view(p) for p in page.payments], "nextCursor": page.next_cursor},
    )


def _single_valued_query(parameters: dict[str, list[str]]) -> dict[str, str]:
    repeated = [name for name, values in parameters.items() if len(values) > 1]
    if repeated:
        raise use_cases.BadQuery(
            [FieldError(name, "single-value", "must be given once") for name in sorted(repeated)]
        )
    return {name: values[0] for name, values in parameters.items() if values}


def _report_spec(
    month: Annotated[
        str, Path(pattern=MONTH_PATTERN, max_length=MONTH_LENGTH, description="YYYY-MM")
    ],
) -> MonthReport:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@app.get(
    "/reports/<month>",
    operation_id="getReport",
    summary="Read your monthly report of kept commitments",
    description="Built by the monthly run on the 5th of the next month; a user with "
    "no active payment in the month or the 23 before has no report.",
    responses=_responses(
        {200: _ok("Your report of the month", MonthReport)},
        {
            400: _problem_content("The month is not YYYY-MM"),
            404: _problem_content("No report of yours for this month (not built yet)"),
        },
    ),
    tags=["reports"],
)
@documented(_report_spec)
def get_report(month: str) -> Response[Any]:
    """The caller's report of a month, served as the report engine stored it."""
    document = own_reports.read_month_report(root.api().reports, _caller(), month)
    return Response(200, "application/json", document)


def _consent_spec() -> ConsentView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@app.get(
    "/consent",
    operation_id="getConsent",
    summary="Read your consent to credit-file sharing",
    description="Before any answer: `creditFileSharing: false`, no history.",
    responses=_responses({200: _ok("Your consent and its history", ConsentView)}),
    tags=["consent"],
)
@documented(_consent_spec)
def get_consent() -> Response[Any]:
    """The caller's consent and its history."""
    state = consent_cases.get_consent(root.api().consents, _caller())
    return _json(200, consent_view(state.current, state.history))


def _set_consent_spec(consent: Annotated[ConsentUpdate, Body()]) -> ConsentView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@app.put(
    "/consent",
    operation_id="setConsent",
    summary="Give or withdraw your consent to credit-file sharing",
    description="Each change is recorded with its time and kept in the history; the monthly "
    "export includes you only if your consent stands at the run's cut-off. A request that "
    "changes nothing records nothing.",
    responses=_responses(
        {200: _ok("Your consent as it now stands, and its history", ConsentView)},
        {**_BODY_ERRORS, 409: _problem_content("Changed concurrently by another request: retry")},
    ),
    tags=["consent"],
)
@documented(_set_consent_spec)
def set_consent() -> Response[Any]:
    """Give or withdraw the caller's consent."""
    event = app.current_event
    body = read_json_object(
        event.headers.get("content-type"), event.body, bool(event.is_base64_encoded)
    )
    deps = root.api()
    state = consent_cases.set_consent(deps.consents, body, _caller(), deps.clock)
    if state.changed:
        metrics.add_metric(
            name="ConsentGiven" if state.credit_file_sharing else "ConsentWithdrawn",
            unit=MetricUnit.Count,
            value=1,
        )
    return _json(200, consent_view(state.current, state.history))


@on_error(RequestRejected)
def _rejected(error: RequestRejected) -> Response[Any]:
    _count_rejection()
    first = error.errors[0]
    return problem(
        error.status,
        error.slug,
        error.title,
        f"{first.field}: {first.message}",
        _request_id(),
        errors=error.errors,
    )


@on_error(ValidationFailed)
def _invalid(error: ValidationFailed) -> Response[Any]:
    _count_rejection()
    names = ", ".join(sorted({e.field for e in error.errors}))
    return problem(
        422,
        "validation",
        "Validation failed",
        f"Rules broken in: {names}",
        _request_id(),
        errors=error.errors,
    )


@on_error(use_cases.BadQuery)
def _bad_query(error: use_cases.BadQuery) -> Response[Any]:
    names = ", ".join(sorted({e.field for e in error.errors}))
    return problem(
        400,
        "bad-query",
        "Bad query parameter",
        f"Check: {names}",
        _request_id(),
        errors=error.errors,
    )


@on_error(own_reports.MalformedMonth)
def _malformed_month(error: own_reports.MalformedMonth) -> Response[Any]:
    return problem(
        400,
        "bad-month",
        "Bad month",
        "month must be a month as YYYY-MM",
        _request_id(),
        errors=error.errors,
    )


@on_error(own_reports.ReportNotBuilt)
def _report_not_built(_: own_reports.ReportNotBuilt) -> Response[Any]:
    return problem(
        404,
        "report-not-found",
        "Report not found",
        "No report of yours for this month: it is built on the 5th of the next month",
        _request_id(),
    )


@on_error(consent_cases.ConsentConflict)
def _consent_conflict(_: consent_cases.ConsentConflict) -> Response[Any]:
    return problem(
        409,
        "consent-conflict",
        "Consent changed concurrently",
        "Another request changed your consent at the same time; read it and retry",
        _request_id(),
    )


@on_error(ForbiddenUser)
def _forbidden(_: ForbiddenUser) -> Response[Any]:
    _count_rejection()
    return problem(
        403,
        "forbidden-user",
        "Forbidden user",
        "userId must be your own user id (the `sub` of your token)",
        _request_id(),
        errors=[FieldError("userId", "caller", "must equal the caller's user id")],
    )


@on_error(PaymentNotFound)
def _not_found(_: PaymentNotFound) -> Response[Any]:
    return problem(404, "not-found", "Not found", "No payment of yours has this id", _request_id())


@on_error(PaymentConflict)
def _conflict(_: PaymentConflict) -> Response[Any]:
    metrics.add_metric(name="PaymentConflict", unit=MetricUnit.Count, value=1)
    return problem(
        409,
        "payment-conflict",
        "Payment id already used",
        "This paymentId already holds a different submission; use a new paymentId",
        _request_id(),
        errors=[FieldError("paymentId", "unique", "already holds a different submission")],
    )


@on_error(MonthlyLimitReached)
def _monthly_limit(error: MonthlyLimitReached) -> Response[Any]:
    _count_rejection()
    return problem(
        422,
        "monthly-limit",
        "Monthly limit reached",
        f"timestamp: {error.month} already holds the most payments one customer may store for "
        f"a month ({error.limit})",
        _request_id(),
        errors=[
            FieldError(
                "timestamp",
                "monthly-limit",
                f"its month already holds {error.limit} payments of yours, the most per month",
            )
        ],
    )


@on_error(CustomerErased)
def _erased(_: CustomerErased) -> Response[Any]:
    # The token was issued before the customer was erased: it is no longer good for anything.
    metrics.add_metric(name="ErasedCustomerRefused", unit=MetricUnit.Count, value=1)
    return problem(
        401,
        "unauthorized",
        "Unauthorized",
        "This account was closed and its data erased; nothing was written.",
        _request_id(),
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


@on_error(StorageUnavailable)
def _unavailable(error: StorageUnavailable) -> Response[Any]:
    logger.warning("storage unavailable", extra={"reason": str(error)})
    metrics.add_metric(name="StorageUnavailable", unit=MetricUnit.Count, value=1)
    return problem(
        503,
        "storage-unavailable",
        "Service unavailable",
        "Storage is unavailable; nothing was written. Retry later.",
        _request_id(),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


@app.not_found
def _unknown_route(_: Exception) -> Response[Any]:
    return problem(404, "not-found", "Not found", "No such resource", _request_id())


@on_error(Exception)
def _bug(error: Exception) -> Response[Any]:
    # A bug, not a client error: log its type and frames only (no message, no request data).
    logger.error(
        "unhandled error",
        extra={"error_type": type(error).__name__, "frames": stack_frames(error)},
    )
    return problem(
        500,
        "internal",
        "Internal error",
        "An internal error occurred; quote the instance id",
        _request_id(),
    )


def _count_rejection() -> None:
    # Named after what was refused: a payment submission, or a consent change.
    refused = "Consent" if app.current_event.resource.startswith("/consent") else "Payment"
    metrics.add_metric(name=f"{refused}Rejected", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point."""
    result = app.resolve(event, context)
    if _cors is not None:
        # Powertools echoes an allowed Origin without `Vary: Origin`: added here to every answer
        # (routes, problems, preflight), as API Gateway passes a proxy result's headers as they are.
        cors.add_vary_origin(result)
    return result
