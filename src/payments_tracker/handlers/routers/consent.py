"""The consent routes: read, give or withdraw consent to credit-file sharing."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from payments_tracker.composition import root
from payments_tracker.handlers.http import (
    BODY_ERRORS,
    caller,
    documented,
    json_body,
    json_response,
    ok_response,
    problem_response,
    responses,
)
from payments_tracker.handlers.models import (
    ConsentUpdate,
    ConsentView,
    consent_view,
)
from payments_tracker.observability import metrics
from payments_tracker.service import consent as consent_cases

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated


def _consent_spec() -> ConsentView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@router.get(
    "/consent",
    operation_id="getConsent",
    summary="Read your consent to credit-file sharing",
    description="Before any answer: `creditFileSharing: false`, no history.",
    responses=responses({200: ok_response("Your consent and its history", ConsentView)}),
    tags=["consent"],
)
@documented(_consent_spec)
def get_consent() -> Response[Any]:
    """The caller's consent and its history."""
    state = consent_cases.get_consent(root.api().consents, caller(router))
    return json_response(200, consent_view(state.current, state.history))


def _set_consent_spec(consent: Annotated[ConsentUpdate, Body()]) -> ConsentView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@router.put(
    "/consent",
    operation_id="setConsent",
    summary="Give or withdraw your consent to credit-file sharing",
    description="Each change is recorded with its time and kept in the history; the monthly "
    "export includes you only if your consent stands at the run's cut-off. A request that "
    "changes nothing records nothing.",
    responses=responses(
        {200: ok_response("Your consent as it now stands, and its history", ConsentView)},
        {**BODY_ERRORS, 409: problem_response("Changed concurrently by another request: retry")},
    ),
    tags=["consent"],
)
@documented(_set_consent_spec)
def set_consent() -> Response[Any]:
    """Give or withdraw the caller's consent."""
    body = json_body(router)
    deps = root.api()
    state = consent_cases.set_consent(deps.consents, body, caller(router), deps.clock)
    if state.changed:
        metrics.add_metric(
            name="ConsentGiven" if state.credit_file_sharing else "ConsentWithdrawn",
            unit=MetricUnit.Count,
            value=1,
        )
    return json_response(200, consent_view(state.current, state.history))
