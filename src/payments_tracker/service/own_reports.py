"""Use case of a customer reading their own monthly report (the report engine writes it)."""

from __future__ import annotations

from payments_tracker.domain.errors import DomainError, FieldError
from payments_tracker.domain.months import Month
from payments_tracker.service.callers import caller_id
from payments_tracker.service.ports import ReportDocuments


class MalformedMonth(DomainError):
    """A month in the path that is not `YYYY-MM` (HTTP 400)."""

    def __init__(self, month: str) -> None:
        super().__init__("malformed month")
        self.errors = [FieldError("month", "month-format", "must be a month as YYYY-MM")]
        self.month = month


class ReportNotBuilt(DomainError):
    """No report of the caller's for this month: not built yet, or nothing to report (404)."""


def read_month_report(reports: ReportDocuments, caller: str, month_text: str) -> str:
    """The caller's report of `month_text` as stored (JSON text); never another user's."""
    month = Month.parse(month_text)
    if month is None:
        raise MalformedMonth(month_text)
    owner = caller_id(caller)
    document = reports.month_report(owner, month)
    if document is None:
        raise ReportNotBuilt(str(month))
    return document
