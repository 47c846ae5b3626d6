"""The payments routes: submit, read, list and void a customer's payments."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from payments_tracker.composition import root
from payments_tracker.domain.errors import FieldError
from payments_tracker.domain.identifiers import UUID4_PATTERN
from payments_tracker.domain.months import MONTH_PATTERN
from payments_tracker.domain.payment import MONTHLY_PAYMENT_LIMIT
from payments_tracker.handlers.http import (
    BODY_ERRORS,
    caller,
    documented,
    json_body,
    json_response,
    ok_response,
    problem_response,
    proxy_event,
    responses,
)
from payments_tracker.handlers.models import (
    MONTH_LENGTH,
    UUID_LENGTH,
    PaymentPage,
    PaymentSubmission,
    PaymentView,
    VoidRequest,
    payment_view,
)
from payments_tracker.observability import metrics
from payments_tracker.service import payments as use_cases
from payments_tracker.service.cursor import CURSOR_PATTERN, MAX_CURSOR_LENGTH
from payments_tracker.service.payments import MAX_LIMIT

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated


def _submit_spec(payment: Annotated[PaymentSubmission, Body()]) -> PaymentView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@router.post(
    "/payments",
    operation_id="submitPayment",
    summary="Submit a payment",
    description="Idempotent on `paymentId`: an identical replay answers 200 with the stored "
    "payment; a different submission with the same `paymentId` answers 409.",
    responses=responses(
        {
            201: ok_response("Stored; `Location` names it", PaymentView, location=True),
            200: ok_response("Identical replay: the stored payment, nothing written", PaymentView),
        },
        {
            **BODY_ERRORS,
            403: problem_response(
                "`userId` is not the caller (/problems/forbidden-user), or refused by the "
                "gateway or its firewall"
            ),
            409: problem_response("`paymentId` already holds a different submission"),
            422: problem_response(
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
    body = json_body(router)
    deps = root.api()
    result = use_cases.submit_payment(deps.payments, body, caller(router), deps.clock)
    view = payment_view(result.payment)
    if result.created:
        metrics.add_metric(name="PaymentAccepted", unit=MetricUnit.Count, value=1)
        location = _location(view["paymentId"])
        return json_response(201, view, {"Location": location})
    metrics.add_metric(name="PaymentReplayed", unit=MetricUnit.Count, value=1)
    return json_response(200, view)


def _location(payment_id: str) -> str:
    """`/v1/payments/<id>` on AWS; the stage prefix is whatever the request's own path carries."""
    event = proxy_event(router)
    full_path = event.request_context.path or event.path
    prefix = full_path[: len(full_path) - len(event.path)] if full_path.endswith(event.path) else ""
    return f"{prefix}/payments/{payment_id}"


_PAYMENT_ID = Path(pattern=UUID4_PATTERN, max_length=UUID_LENGTH, description="UUID v4")


def _get_spec(paymentId: Annotated[str, _PAYMENT_ID]) -> PaymentView:  # noqa: N803 (API name)
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@router.get(
    "/payments/<paymentId>",
    operation_id="getPayment",
    summary="Read one of your payments",
    responses=responses(
        {200: ok_response("The payment", PaymentView)},
        {404: problem_response("No payment of yours with this id")},
    ),
    tags=["payments"],
)
@documented(_get_spec)
def get_payment(paymentId: str) -> Response[Any]:  # noqa: N803 (API name)
    """One payment of the caller's."""
    payment = use_cases.get_payment(root.api().payments, paymentId, caller(router))
    return json_response(200, payment_view(payment))


def _void_spec(
    paymentId: Annotated[str, _PAYMENT_ID],  # noqa: N803 (API name)
    request: Annotated[VoidRequest, Body()] = None,  # type: ignore[assignment] # optional body
) -> PaymentView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@router.post(
    "/payments/<paymentId>/void",
    operation_id="voidPayment",
    summary="Void one of your payments",
    description="An action on a payment that stays: it is kept, marked `voided` with who, when "
    "and the optional `reason`, and counts nowhere (reports skip it); `GET` still answers it. "
    'The body is optional: none, `{}` or `{"reason": …}`; when one is sent it must be JSON. '
    "Voiding a voided payment changes nothing: 200 with the first voiding and its reason.",
    responses=responses(
        {200: ok_response("The voided payment", PaymentView)},
        {**BODY_ERRORS, 404: problem_response("No payment of yours with this id")},
    ),
    tags=["payments"],
)
@documented(_void_spec)
def void_payment(paymentId: str) -> Response[Any]:  # noqa: N803 (API name)
    """Void one payment of the caller's, with the reason of its optional JSON body."""
    # No body (or an empty one) asks for a void without a reason.
    request = json_body(router) if proxy_event(router).body else None
    deps = root.api()
    payment = use_cases.void_payment(
        deps.payments, paymentId, caller(router), deps.clock, deps.closings, request=request
    )
    metrics.add_metric(name="PaymentVoided", unit=MetricUnit.Count, value=1)
    return json_response(200, payment_view(payment))


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


@router.get(
    "/payments",
    operation_id="listPayments",
    summary="List your payments of a month, newest first",
    responses=responses(
        {200: ok_response("A page", PaymentPage)},
        {400: problem_response("Bad month, limit or cursor; `errors` names each")},
    ),
    tags=["payments"],
)
@documented(_list_spec)
def list_payments() -> Response[Any]:
    """The caller's payments of a month."""
    event = proxy_event(router)
    query = _single_valued_query(event.multi_value_query_string_parameters or {})
    deps = root.api()
    page = use_cases.list_payments(deps.payments, deps.cursors, caller(router), query, deps.clock)
    return json_response(
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
