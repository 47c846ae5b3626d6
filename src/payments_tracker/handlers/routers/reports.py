"""The reports route: a customer's own monthly report, as the report engine stored it."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from payments_tracker.composition import root
from payments_tracker.domain.months import MONTH_PATTERN
from payments_tracker.handlers.http import (
    caller,
    documented,
    ok_response,
    problem_response,
    responses,
)
from payments_tracker.handlers.models import (
    MONTH_LENGTH,
    MonthReport,
)
from payments_tracker.service import own_reports

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated


def _report_spec(
    month: Annotated[
        str, Path(pattern=MONTH_PATTERN, max_length=MONTH_LENGTH, description="YYYY-MM")
    ],
) -> MonthReport:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@router.get(
    "/reports/<month>",
    operation_id="getReport",
    summary="Read your monthly report of kept commitments",
    description="Built by the monthly run on the 5th of the next month; a user with "
    "no active payment in the month or the 23 before has no report.",
    responses=responses(
        {200: ok_response("Your report of the month", MonthReport)},
        {
            400: problem_response("The month is not YYYY-MM"),
            404: problem_response("No report of yours for this month (not built yet)"),
        },
    ),
    tags=["reports"],
)
@documented(_report_spec)
def get_report(month: str) -> Response[Any]:
    """The caller's report of a month, served as the report engine stored it."""
    document = own_reports.read_month_report(root.api().reports, caller(router), month)
    return Response(200, "application/json", document)
