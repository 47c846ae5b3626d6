"""Issue 3, point 3: every case over HTTP through the local gateway, with real tokens.

Also the acceptance suite of a deployed stage: with PAYMENTS_API_URL, PAYMENTS_TOKEN and
PAYMENTS_TOKEN_B set, the same tests run against it (`make acceptance`, docs/deploy.md).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import httpx
import pytest

from support.http_api import assert_problem, auth

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from conftest import ApiUser

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def alice(api_user: Callable[[], ApiUser]) -> ApiUser:
    return api_user()


@pytest.fixture(scope="module")
def bob(api_user: Callable[[], ApiUser], alice: ApiUser) -> ApiUser:
    user = api_user()
    assert user.sub != alice.sub
    return user


@pytest.fixture(scope="module")
def http(api_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_url, timeout=30) as client:
        yield client


def new_payment(user: ApiUser, **overrides: str) -> dict[str, str]:
    body = {
        "paymentId": str(uuid.uuid4()),
        "userId": user.sub,
        "timestamp": (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds"),
        "description": "Netflix",
        "currency": "GBP",
        "amount": "12.99",
    }
    body.update(overrides)
    return body


def test_submit_answers_201_with_location_and_the_stored_payment(
    http: httpx.Client, alice: ApiUser
) -> None:
    body = new_payment(alice, amount="12.9")

    response = http.post("/payments", json=body, headers=auth(alice))

    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["amount"] == "12.90"
    assert stored["status"] == "active"
    location = response.headers["location"]
    assert location.endswith(f"/payments/{body['paymentId']}")  # /v1/payments/… on AWS
    fetched = http.get(str(http.base_url.join(location)), headers=auth(alice))
    assert fetched.status_code == 200
    assert fetched.json() == stored


def test_identical_replay_returns_200_and_writes_nothing(
    http: httpx.Client, alice: ApiUser
) -> None:
    body = new_payment(alice)
    first = http.post("/payments", json=body, headers=auth(alice))

    replay = http.post("/payments", json=body, headers=auth(alice))

    assert first.status_code == 201
    assert replay.status_code == 200
    assert replay.json() == first.json()  # same receivedAt: the stored record, not a new one


def test_a_replay_spelled_another_way_is_200_and_another_offset_is_409(
    http: httpx.Client, alice: ApiUser
) -> None:
    """Issue 11, point 6: `t`, `.000`, `z` or `+00:00` spell the same submission as first sent."""
    moment = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    as_sent = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    body = new_payment(alice, timestamp=as_sent)
    first = http.post("/payments", json=body, headers=auth(alice))
    assert first.status_code == 201, first.text

    for spelling in (
        moment.strftime("%Y-%m-%dt%H:%M:%S.000z"),
        moment.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00"),
    ):
        replay = http.post("/payments", json={**body, "timestamp": spelling}, headers=auth(alice))
        assert replay.status_code == 200, replay.text
        assert replay.json() == first.json()  # the timestamp as first submitted
    other_offset = moment.astimezone(timezone(timedelta(hours=1))).isoformat()
    conflict = http.post("/payments", json={**body, "timestamp": other_offset}, headers=auth(alice))

    problem = assert_problem(conflict, 409)
    assert problem["errors"][0]["field"] == "paymentId"
    stored = http.get(f"/payments/{body['paymentId']}", headers=auth(alice)).json()
    assert stored["timestamp"] == as_sent


def test_same_payment_id_with_a_different_body_is_409(http: httpx.Client, alice: ApiUser) -> None:
    body = new_payment(alice)
    http.post("/payments", json=body, headers=auth(alice))

    response = http.post("/payments", json={**body, "amount": "13.00"}, headers=auth(alice))

    problem = assert_problem(response, 409)
    assert problem["errors"][0]["field"] == "paymentId"
    assert http.get(f"/payments/{body['paymentId']}", headers=auth(alice)).json()["amount"] == (
        "12.99"
    )


@pytest.mark.parametrize(
    ("override", "field", "rule"),
    [
        ({"paymentId": "NOT-A-UUID"}, "paymentId", "uuid-v4"),
        ({"timestamp": "2026-11-20T10:00:00"}, "timestamp", "rfc3339-date-time"),
        ({"timestamp": "2026-11-20T10:00:00-00:00"}, "timestamp", "known-offset"),
        ({"timestamp": "2026-06-30T23:59:60Z"}, "timestamp", "no-leap-second"),
        ({"description": "\u202egnp.exe"}, "description", "allowed-characters"),
        ({"description": "   "}, "description", "not-blank"),
        ({"description": "Rent\u2028flat 2"}, "description", "allowed-characters"),
        ({"description": "\u3164\u2800"}, "description", "not-blank"),
        ({"currency": "XAU"}, "currency", "iso-4217"),
        ({"amount": "12.999"}, "amount", "decimal-string"),
        ({"amount": "0.00"}, "amount", "positive"),
    ],
)
def test_a_broken_rule_is_422_naming_the_field_and_the_rule(
    http: httpx.Client, alice: ApiUser, override: dict[str, str], field: str, rule: str
) -> None:
    body = new_payment(alice, **override)

    response = http.post("/payments", json=body, headers=auth(alice))

    problem = assert_problem(response, 422)
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in problem["errors"]
    ]
    assert http.get(f"/payments/{body['paymentId']}", headers=auth(alice)).status_code in (404,)


def test_malformed_json_is_400_oversized_is_413_and_not_json_is_415(
    http: httpx.Client, alice: ApiUser
) -> None:
    json_headers = {**auth(alice), "Content-Type": "application/json"}
    assert_problem(http.post("/payments", content=b'{"a":', headers=json_headers), 400)
    assert_problem(http.post("/payments", content=b'{"a":1,"a":2}', headers=json_headers), 400)
    big = new_payment(alice, description="x" * 9000)
    assert_problem(http.post("/payments", json=big, headers=auth(alice)), 413)
    text_headers = {**auth(alice), "Content-Type": "text/plain"}
    assert_problem(http.post("/payments", content=b"hello", headers=text_headers), 415)
    assert_problem(http.post("/payments", json=[new_payment(alice)], headers=auth(alice)), 422)


def test_another_users_id_in_the_body_is_403(
    http: httpx.Client, alice: ApiUser, bob: ApiUser
) -> None:
    response = http.post("/payments", json=new_payment(alice, userId=bob.sub), headers=auth(alice))

    problem = assert_problem(response, 403)
    assert problem["type"] == "/problems/forbidden-user"


def test_no_token_or_a_bad_token_is_401_problem_json(http: httpx.Client, alice: ApiUser) -> None:
    assert_problem(http.post("/payments", json=new_payment(alice)), 401)
    forged = alice.access_token[:-4] + (
        "AAAA" if not alice.access_token.endswith("AAAA") else "BBBB"
    )
    bad = {"Authorization": f"Bearer {forged}"}
    assert_problem(http.get("/payments?month=2026-11", headers=bad), 401)
    assert_problem(http.get("/payments?month=2026-11", headers={"Authorization": "Basic x"}), 401)


def test_an_unknown_route_is_404_problem_json(http: httpx.Client, alice: ApiUser) -> None:
    assert_problem(http.get("/nowhere", headers=auth(alice)), 404)
    assert_problem(http.put("/payments", headers=auth(alice)), 404)


def test_another_users_payment_is_404_for_read_and_void(
    http: httpx.Client, alice: ApiUser, bob: ApiUser
) -> None:
    body = new_payment(alice)
    http.post("/payments", json=body, headers=auth(alice))

    assert_problem(http.get(f"/payments/{body['paymentId']}", headers=auth(bob)), 404)
    assert_problem(http.post(f"/payments/{body['paymentId']}/void", headers=auth(bob)), 404)
    assert http.get(f"/payments/{body['paymentId']}", headers=auth(alice)).json()["status"] == (
        "active"
    )


def test_void_marks_the_payment_and_it_still_answers_get(
    http: httpx.Client, alice: ApiUser
) -> None:
    body = new_payment(alice)
    http.post("/payments", json=body, headers=auth(alice))

    voided = http.post(f"/payments/{body['paymentId']}/void", headers=auth(alice))

    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "voided"
    assert voided.json()["voidedBy"] == alice.sub
    assert voided.json()["voidReason"] is None
    fetched = http.get(f"/payments/{body['paymentId']}", headers=auth(alice))
    assert fetched.json() == voided.json()


def test_void_keeps_its_reason_and_a_bad_reason_is_422_naming_the_rule(
    http: httpx.Client, alice: ApiUser
) -> None:
    body = new_payment(alice)
    http.post("/payments", json=body, headers=auth(alice))
    void_url = f"/payments/{body['paymentId']}/void"

    blank = assert_problem(http.post(void_url, json={"reason": "  "}, headers=auth(alice)), 422)
    long = assert_problem(http.post(void_url, json={"reason": "x" * 141}, headers=auth(alice)), 422)
    text = {**auth(alice), "Content-Type": "text/plain"}
    assert_problem(http.post(void_url, content=b"typo", headers=text), 415)
    assert http.get(f"/payments/{body['paymentId']}", headers=auth(alice)).json()["status"] == (
        "active"
    )
    voided = http.post(void_url, json={"reason": "Entered twice"}, headers=auth(alice))

    assert [(e["field"], e["rule"]) for e in blank["errors"]] == [("reason", "not-blank")]
    assert [(e["field"], e["rule"]) for e in long["errors"]] == [("reason", "length")]
    assert voided.status_code == 200, voided.text
    assert voided.json()["voidReason"] == "Entered twice"
    again = http.post(void_url, json={}, headers=auth(alice))
    assert again.json() == voided.json()  # the first voiding stands


def test_delete_is_not_a_method_of_a_payment_and_deletes_nothing(
    http: httpx.Client, alice: ApiUser
) -> None:
    body = new_payment(alice)
    http.post("/payments", json=body, headers=auth(alice))

    assert_problem(http.delete(f"/payments/{body['paymentId']}", headers=auth(alice)), 404)
    assert http.get(f"/payments/{body['paymentId']}", headers=auth(alice)).json()["status"] == (
        "active"
    )


def test_list_pages_through_own_payments_of_the_month_newest_first(
    http: httpx.Client, alice: ApiUser, bob: ApiUser
) -> None:
    carol = alice
    now = datetime.now(UTC).replace(microsecond=0)
    month = now.strftime("%Y-%m")
    month_start = now.replace(day=1, hour=0, minute=0, second=0)
    submitted = []
    for minutes in range(5):
        moment = month_start + timedelta(minutes=minutes)
        body = new_payment(carol, timestamp=moment.isoformat())
        assert http.post("/payments", json=body, headers=auth(carol)).status_code == 201
        submitted.append(body["paymentId"])
    http.post("/payments", json=new_payment(bob), headers=auth(bob))

    seen: list[str] = []
    first = http.get("/payments", params={"month": month, "limit": 2}, headers=auth(carol))
    assert first.status_code == 200, first.text
    page = first.json()
    seen += [item["paymentId"] for item in page["items"]]
    while page["nextCursor"]:
        response = http.get(
            "/payments", params={"month": month, "cursor": page["nextCursor"]}, headers=auth(carol)
        )
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item["paymentId"] for item in page["items"]]

    assert len(seen) == len(set(seen))  # no payment twice across pages
    assert all(item["userId"] == carol.sub for item in page["items"])  # never another user's
    # (a deployed user may own older payments of the month: those are interleaved, not missing)
    assert [p for p in seen if p in set(submitted)] == list(reversed(submitted))


def test_a_tampered_foreign_or_relimited_cursor_is_400(
    http: httpx.Client, alice: ApiUser, bob: ApiUser
) -> None:
    month = datetime.now(UTC).strftime("%Y-%m")
    for _ in range(2):
        http.post("/payments", json=new_payment(alice), headers=auth(alice))
    cursor = http.get("/payments", params={"month": month, "limit": 1}, headers=auth(alice)).json()[
        "nextCursor"
    ]
    assert cursor

    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for params, user in [
        ({"month": month, "cursor": tampered}, alice),
        ({"month": month, "cursor": cursor}, bob),
        ({"month": month, "cursor": cursor, "limit": 5}, alice),
        ({"month": "2020-01", "cursor": cursor}, alice),
    ]:
        assert_problem(http.get("/payments", params=params, headers=auth(user)), 400)


def test_a_bad_month_or_limit_is_400(http: httpx.Client, alice: ApiUser) -> None:
    for params in [{}, {"month": "2026-13"}, {"month": "2026-11", "limit": "0"}]:
        problem = assert_problem(http.get("/payments", params=params, headers=auth(alice)), 400)
        assert problem["errors"]
