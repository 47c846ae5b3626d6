"""Issue 11, point 4: every credit-file export row is exactly one line, whatever any text holds.

The export is gzip JSON Lines. `json.dumps(..., ensure_ascii=False)` escapes the C0 controls but
writes U+0085, U+2028 and U+2029 raw, and many readers (`str.splitlines`, JavaScript before
ES2019, some CSV/JSON Lines tools) take those for a line break: one row would read as two. The
writer escapes every such character as `\\uXXXX`; stored text is never trusted to be clean (data
stored before the description rules refused these, or any other field).
"""

from __future__ import annotations

import gzip
import io
import json
import sys
import unicodedata
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from payments_tracker.service.report_ports import ReportPorts
from payments_tracker.service.reports import _PartWriter, build_shard, start_or_join_run
from support.memory_reports import (
    InMemoryConsent,
    InMemoryErasureLog,
    InMemoryExportSink,
    InMemoryReportRuns,
    InMemoryReportStore,
    InMemoryShardPayments,
)
from support.report_payments import CUTOFF, monthly, users_in_shard

LINE_BREAKING_CATEGORIES = ("Zl", "Zp", "Cc", "Cf")
EVERY_LINE_BREAKING_CODE_POINT = [
    chr(point)
    for point in range(sys.maxunicode + 1)
    if unicodedata.category(chr(point)) in LINE_BREAKING_CATEGORIES
]
SHARD = 5


def row(index: int, text: str) -> dict[str, Any]:
    """An export row with `text` inside every text field (the order fields keep their order)."""
    return {
        "userId": f"user-{index:06d}{text}",
        "month": f"2026-11{text}",
        "commitmentId": f"commitment{text}",
        "name": f"Rent{text}flat {text}",
        "currency": f"GBP{text}",
        "amount": f"9.99{text}",
        "payments": 1,
        "paidAt": [f"2026-11-03T09:30:00Z{text}"],
        "monthsKept": 3,
        "history24": f"111{text}",
        "status": f"kept{text}",
        "source": f"customer-asserted{text}",
        f"key{text}": text,
    }


def part_of(rows: list[dict[str, Any]]) -> bytes:
    target = io.BytesIO()
    writer = _PartWriter(target)
    for each in rows:
        writer.write(each)
    writer.close()
    return target.getvalue()


def lines_of(part: bytes) -> list[str]:
    return gzip.decompress(part).decode("utf-8").splitlines()


def test_the_categories_hold_the_separators_and_controls_readers_break_lines_on() -> None:
    assert {"\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\n", "\r"} <= set(
        EVERY_LINE_BREAKING_CODE_POINT
    )


def test_every_row_is_one_line_whatever_code_point_of_zl_zp_cc_cf_its_text_holds() -> None:
    rows = [row(index, c) for index, c in enumerate(EVERY_LINE_BREAKING_CODE_POINT)]

    lines = lines_of(part_of(rows))

    assert len(lines) == len(rows)
    assert [json.loads(line) for line in lines] == rows


def test_the_separators_are_written_escaped_not_raw() -> None:
    text = gzip.decompress(part_of([row(0, "\u2028\u2029\x85")])).decode("utf-8")

    assert not {"\u2028", "\u2029", "\x85"} & set(text)
    for escape in ("\\u2028", "\\u2029", "\\u0085"):
        assert escape in text
    assert text.count("\n") == 1
    assert text.endswith("\n")


def test_ordinary_text_is_still_written_as_utf_8_not_escaped() -> None:
    name = "Café \u0915\u093f \ud55c\uad6d \U0001f468\u200d\U0001f469\u200d\U0001f467"
    text = gzip.decompress(part_of([row(0, name)])).decode("utf-8")

    assert f"Rent{name}flat" in text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=8))
def test_any_texts_give_one_line_per_row_that_reads_back_the_same(texts: list[str]) -> None:
    rows = [row(index, text) for index, text in enumerate(texts)]

    lines = lines_of(part_of(rows))

    assert [json.loads(line) for line in lines] == rows


def test_a_stored_description_with_a_line_separator_exports_as_one_row() -> None:
    """Payments stored before the rule refused U+2028/U+2029/NEL still export one line each."""
    users = users_in_shard(3, SHARD)
    names = ["Rent\u2028flat 2", "Gym\u2029", "Phone\x85bill"]
    payments = [
        payment
        for user, name in zip(users, names, strict=True)
        for payment in monthly(user, name, ["2026-09", "2026-10", "2026-11"])
    ]
    consent = InMemoryConsent()
    for user in users:
        consent.give(user, CUTOFF - timedelta(days=30))
    exports = InMemoryExportSink()
    ports = ReportPorts(
        payments=InMemoryShardPayments(payments),
        reports=InMemoryReportStore(),
        consent=consent,
        runs=InMemoryReportRuns(),
        exports=exports,
        erasures=InMemoryErasureLog(),
    )
    run = start_or_join_run(ports.runs, "2026-11", CUTOFF + timedelta(hours=1))

    outcome = build_shard(ports, run, SHARD)

    lines = lines_of(exports.objects[f"2026-11/part-{SHARD:02d}.jsonl.gz"])
    assert outcome.rows == len(lines) == 3
    assert [json.loads(line)["name"] for line in lines] == names
