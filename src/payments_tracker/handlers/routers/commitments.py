"""The commitment routes: the live view, and the customer's corrections (rename, exclude or
include, merge)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

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
    UUID_LENGTH,
    UUID_PATTERN,
    CommitmentMonthsView,
    CommitmentPatchBody,
    CommitmentsView,
    LiveCommitmentView,
    MergeBody,
)
from payments_tracker.service import commitments as cases
from payments_tracker.service.commitments import CommitmentPorts

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated

_NOT_FOUND = problem_response("No commitment of yours has this id")
_CommitmentId = Annotated[
    str,
    Path(
        pattern=UUID_PATTERN,
        max_length=UUID_LENGTH,
        description="A commitment id (as the live view, the reports and the export show it); a "
        "merged one stands for the commitment it was merged into",
    ),
]


def _ports() -> CommitmentPorts:
    deps = root.api()
    return CommitmentPorts(deps.payments, deps.corrections, deps.clock)


def _list_spec() -> CommitmentsView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@router.get(
    "/commitments",
    operation_id="listCommitments",
    summary="Your commitments as they stand now",
    description="Computed on read from your own payments of the last 24 months and your "
    "corrections, with the rules of the monthly report: no need to wait for the month's build.",
    responses=responses({200: ok_response("Your commitments, kept first", CommitmentsView)}),
    tags=["commitments"],
)
@documented(_list_spec)
def list_commitments() -> Response[Any]:
    """The caller's commitments now."""
    found = cases.list_commitments(_ports(), caller(router))
    return json_response(200, {"commitments": [c.document() for c in found]})


def _patch_spec(
    commitmentId: _CommitmentId,  # noqa: N803 - the path parameter's name in the contract
    correction: Annotated[CommitmentPatchBody, Body()],
) -> LiveCommitmentView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@router.patch(
    "/commitments/<commitmentId>",
    operation_id="correctCommitment",
    summary="Rename a commitment, or keep it out of (or put it back into) the export",
    description="Recorded with its time and kept (the audit); the live view shows it at once, "
    "the monthly build applies it from the next cut-off. A request that changes nothing records "
    "nothing. Body errors (422) come before an unknown id (404).",
    responses=responses(
        {200: ok_response("The commitment as it now stands", LiveCommitmentView)},
        {**BODY_ERRORS, 404: _NOT_FOUND},
    ),
    tags=["commitments"],
)
@documented(_patch_spec)
def correct_commitment(commitmentId: str) -> Response[Any]:  # noqa: N803
    """Rename, exclude or include one of the caller's commitments."""
    body = json_body(router)
    found = cases.correct_commitment(_ports(), caller(router), commitmentId, body)
    return json_response(200, found.document())


def _merge_spec(
    commitmentId: _CommitmentId,  # noqa: N803 - the path parameter's name in the contract
    merge: Annotated[MergeBody, Body()],
) -> LiveCommitmentView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@router.post(
    "/commitments/<commitmentId>/merge",
    operation_id="mergeCommitment",
    summary="Merge this commitment into another (one history, one streak)",
    description='For what detection cannot see ("Landlord J Smith" and "Rent to Mr Smith"). '
    "The merged id keeps answering for the commitment it joined. Both must be yours and in one "
    "currency.",
    responses=responses(
        {200: ok_response("The commitment they now are", LiveCommitmentView)},
        {**BODY_ERRORS, 404: _NOT_FOUND},
    ),
    tags=["commitments"],
)
@documented(_merge_spec)
def merge_commitment(commitmentId: str) -> Response[Any]:  # noqa: N803
    """Merge one of the caller's commitments into another."""
    body = json_body(router)
    found = cases.merge_commitments(_ports(), caller(router), commitmentId, body)
    return json_response(200, found.document())


def _months_spec(
    commitmentId: _CommitmentId,  # noqa: N803 - the path parameter's name in the contract
) -> CommitmentMonthsView:
    raise NotImplementedError  # only its signature is used, by the OpenAPI document


@router.get(
    "/commitments/<commitmentId>/months",
    operation_id="getCommitmentMonths",
    summary="Why each month of a commitment counts: its due dates, their payments, in words",
    description="The 24 months that end with the month before the current one (the newest month "
    "that can be built), newest first, computed on read from your own payments and corrections "
    "with the rules of the monthly report: each month's `history24` character, the due dates in "
    "it, how each ended and the payments that count for it.",
    responses=responses(
        {200: ok_response("The evidence behind each month", CommitmentMonthsView)},
        {404: _NOT_FOUND, 422: problem_response("The commitment id is not a UUID")},
    ),
    tags=["commitments"],
)
@documented(_months_spec)
def get_commitment_months(commitmentId: str) -> Response[Any]:  # noqa: N803
    """The evidence behind each month of one of the caller's commitments."""
    found = cases.commitment_months(_ports(), caller(router), commitmentId)
    return json_response(
        200,
        {
            "commitmentId": str(found.commitment_id),
            "months": [month.document() for month in found.months],
        },
    )
