"""Issue 13, commitments over HTTP through the local gateway with real tokens: the live view,
rename, exclude and include, merge, and every refusal as application/problem+json.

Each test's commitments carry a random tag in their names (letters only: four digits or more
would be a reference number, not part of the name), so the tests also hold for a deployed stage
whose two users already have commitments of their own.
"""

from __future__ import annotations

import json
import os
import random
import string
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from dateutil.relativedelta import relativedelta

from payments_tracker.adapters.dynamodb.corrections import DynamoDBCorrections
from payments_tracker.local.bootstrap import dynamodb_client
from support.http_api import assert_problem, auth

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from conftest import ApiUser
    from payments_tracker.local.config import LocalConfig

pytestmark = pytest.mark.e2e

DEPLOYED = bool(os.environ.get("PAYMENTS_API_URL"))
OPENAPI = Path(__file__).parents[2] / "docs" / "api" / "openapi.json"


@pytest.fixture(scope="module")
def http(api_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_url, timeout=30) as client:
        yield client


@pytest.fixture
def alice(api_user: Callable[[], ApiUser]) -> ApiUser:
    return api_user()


@pytest.fixture
def bob(api_user: Callable[[], ApiUser], alice: ApiUser) -> ApiUser:
    user = api_user()
    assert user.sub != alice.sub
    return user


@pytest.fixture
def tag() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=8))  # noqa: S311 - a name, no secret


def rules_of(problem: dict[str, Any]) -> list[tuple[str, str]]:
    return [(error["field"], error["rule"]) for error in problem.get("errors", [])]


NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
"""An hour ago: the latest payment of each commitment (never in the future)."""


def months_ago(months: int) -> datetime:
    return NOW - relativedelta(months=months)


def submit(
    http: httpx.Client,
    user: ApiUser,
    description: str,
    moment: datetime,
    *,
    amount: str = "12.99",
    currency: str = "GBP",
) -> None:
    body = {
        "paymentId": str(uuid.uuid4()),
        "userId": user.sub,
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "description": description,
        "currency": currency,
        "amount": amount,
    }
    response = http.post("/payments", json=body, headers=auth(user))
    assert response.status_code == 201, response.text


def commitments(http: httpx.Client, user: ApiUser, tag: str) -> dict[str, dict[str, Any]]:
    """The user's commitments whose name holds `tag`, by name."""
    response = http.get("/commitments", headers=auth(user))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    listed = response.json()["commitments"]
    return {c["name"]: c for c in listed if tag in c["name"]}


def gym_of(http: httpx.Client, user: ApiUser, tag: str) -> str:
    """A monthly gym of five months, 19.99 then 24.99, under two spellings: its id."""
    for months in range(5, 0, -1):
        name = f"PureGym {tag}" if months % 2 else f"PUREGYM {tag.upper()} LTD"
        submit(http, user, name, months_ago(months), amount="19.99" if months > 2 else "24.99")
    (gym,) = commitments(http, user, tag).values()
    return str(gym["commitmentId"])


def corrections_recorded(request: pytest.FixtureRequest, user: ApiUser) -> int | None:
    """How many corrections the user has recorded, read from DynamoDB Local (None deployed)."""
    if DEPLOYED:
        return None
    config: LocalConfig = request.getfixturevalue("local_config")
    client = dynamodb_client(config.dynamodb.endpoint, config.region)
    store = DynamoDBCorrections(client, config.dynamodb.table_name)
    return len(store.of_user(uuid.UUID(user.sub)))


def test_the_live_view_lists_each_commitment_with_its_cadence_amounts_and_history(
    http: httpx.Client, alice: ApiUser, bob: ApiUser, tag: str
) -> None:
    gym_id = gym_of(http, alice, tag)
    submit(http, alice, f"Sofa {tag}", NOW, amount="500.00")
    submit(http, bob, f"Bobs gym {tag}", NOW)

    shown = commitments(http, alice, tag)

    assert list(shown) == [f"PureGym {tag}", f"Sofa {tag}"]  # kept, then by name
    gym = shown[f"PureGym {tag}"]
    first, last = months_ago(5).date(), months_ago(1).date()
    current = datetime.now(UTC).date()
    months_seen = (current.year - first.year) * 12 + current.month - first.month + 1
    assert gym == {
        "commitmentId": gym_id,
        "name": f"PureGym {tag}",  # the latest payment's
        "currency": "GBP",
        "cadence": "monthly",
        "status": "kept",
        "currentAmount": "24.99",
        "previousAmount": "19.99",
        "firstPaid": first.isoformat(),
        "lastPaid": last.isoformat(),
        "nextDue": (last + relativedelta(months=1)).isoformat(),
        "established": True,
        "confidence": gym["confidence"],
        "excluded": False,
        "monthsKept": months_seen,
        "history24": ("1" * months_seen).ljust(24, "-"),
        "mergedFrom": [],
    }
    assert 0 < gym["confidence"] <= 1
    uuid.UUID(gym_id)
    sofa = shown[f"Sofa {tag}"]
    assert (sofa["cadence"], sofa["status"], sofa["established"]) == ("unknown", "kept", False)
    assert (sofa["nextDue"], sofa["confidence"], sofa["currentAmount"]) == (None, 0, "500.00")
    assert commitments(http, bob, tag).keys() == {f"Bobs gym {tag}"}  # never another's


def test_rename_exclude_and_include_answer_200_and_show_in_the_list(
    http: httpx.Client, alice: ApiUser, tag: str, request: pytest.FixtureRequest
) -> None:
    gym_id = gym_of(http, alice, tag)
    url = f"/commitments/{gym_id}"
    recorded = corrections_recorded(request, alice)

    renamed = http.patch(url, json={"name": f"My gym {tag}"}, headers=auth(alice))
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == f"My gym {tag}"
    assert renamed.json()["commitmentId"] == gym_id
    assert commitments(http, alice, tag)[f"My gym {tag}"]["commitmentId"] == gym_id

    excluded = http.patch(url, json={"excluded": True}, headers=auth(alice))
    assert excluded.status_code == 200, excluded.text
    assert (excluded.json()["excluded"], excluded.json()["name"]) == (True, f"My gym {tag}")
    assert commitments(http, alice, tag)[f"My gym {tag}"]["excluded"] is True

    both = http.patch(url, json={"name": f"Gym {tag}", "excluded": False}, headers=auth(alice))
    assert both.status_code == 200, both.text
    assert (both.json()["name"], both.json()["excluded"]) == (f"Gym {tag}", False)
    shown = commitments(http, alice, tag)
    assert list(shown) == [f"Gym {tag}"]
    assert shown[f"Gym {tag}"]["excluded"] is False
    if recorded is not None:
        assert corrections_recorded(request, alice) == recorded + 3


def test_a_request_that_changes_nothing_records_nothing(
    http: httpx.Client, alice: ApiUser, tag: str, request: pytest.FixtureRequest
) -> None:
    gym_id = gym_of(http, alice, tag)
    url = f"/commitments/{gym_id}"
    before = http.get("/commitments", headers=auth(alice)).json()
    recorded = corrections_recorded(request, alice)

    same_name = http.patch(url, json={"name": f"PureGym {tag}"}, headers=auth(alice))
    not_excluded = http.patch(url, json={"excluded": False}, headers=auth(alice))

    for response in (same_name, not_excluded):
        assert response.status_code == 200, response.text
        assert response.json() == commitments(http, alice, tag)[f"PureGym {tag}"]
    assert http.get("/commitments", headers=auth(alice)).json() == before
    if recorded is not None:
        assert corrections_recorded(request, alice) == recorded
        http.patch(url, json={"name": f"Gym {tag}"}, headers=auth(alice))
        http.patch(url, json={"name": f"Gym {tag}", "excluded": False}, headers=auth(alice))
        assert corrections_recorded(request, alice) == recorded + 1


def test_a_merge_makes_one_commitment_and_the_merged_id_answers_for_it(
    http: httpx.Client, alice: ApiUser, tag: str
) -> None:
    for months in range(4, 0, -1):
        submit(http, alice, f"Landlord {tag}", months_ago(months), amount="950.00")
    submit(http, alice, f"Rent to Mr {tag}", NOW, amount="950.00")
    ids = {name: c["commitmentId"] for name, c in commitments(http, alice, tag).items()}
    landlord, rent = ids[f"Landlord {tag}"], ids[f"Rent to Mr {tag}"]

    merged = http.post(f"/commitments/{rent}/merge", json={"into": landlord}, headers=auth(alice))

    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert (body["commitmentId"], body["mergedFrom"]) == (landlord, [rent])
    assert (body["cadence"], body["status"], body["name"]) == (
        "monthly",
        "kept",
        f"Rent to Mr {tag}",
    )
    assert body["lastPaid"] == NOW.date().isoformat()
    shown = commitments(http, alice, tag)
    assert [c["commitmentId"] for c in shown.values()] == [landlord]
    assert shown[f"Rent to Mr {tag}"]["mergedFrom"] == [rent]
    # The merged id answers for its target.
    renamed = http.patch(f"/commitments/{rent}", json={"name": f"Rent {tag}"}, headers=auth(alice))
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["commitmentId"], renamed.json()["name"]) == (landlord, f"Rent {tag}")
    again = http.post(f"/commitments/{rent}/merge", json={"into": landlord}, headers=auth(alice))
    assert rules_of(assert_problem(again, 422)) == [("into", "same-commitment")]


def test_another_users_commitment_and_an_unknown_one_are_404(
    http: httpx.Client, alice: ApiUser, bob: ApiUser, tag: str
) -> None:
    alices = gym_of(http, alice, tag)
    submit(http, bob, f"Bobs gym {tag}", NOW)
    (bobs,) = [c["commitmentId"] for c in commitments(http, bob, tag).values()]
    unknown = str(uuid.uuid5(uuid.NAMESPACE_URL, tag))
    before = commitments(http, alice, tag)

    for commitment in (alices, unknown):
        patched = http.patch(f"/commitments/{commitment}", json={"name": "Mine"}, headers=auth(bob))
        assert rules_of(assert_problem(patched, 404)) == [("commitmentId", "exists")]
        merge = http.post(
            f"/commitments/{commitment}/merge", json={"into": bobs}, headers=auth(bob)
        )
        assert rules_of(assert_problem(merge, 404)) == [("commitmentId", "exists")]
        into = http.post(f"/commitments/{bobs}/merge", json={"into": commitment}, headers=auth(bob))
        assert rules_of(assert_problem(into, 404)) == [("into", "exists")]

    assert commitments(http, alice, tag) == before
    assert assert_problem(
        http.patch(f"/commitments/{unknown}", json={"name": "x"}, headers=auth(alice)), 404
    )["type"].endswith("commitment-not-found")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"name": "   "}, ("name", "not-blank")),
        ({"name": "\u3164"}, ("name", "not-blank")),
        ({"name": ""}, ("name", "length")),
        ({"name": "x" * 141}, ("name", "length")),
        ({"name": "Gym\u0007"}, ("name", "allowed-characters")),
        ({"name": "Gym\nflat 2"}, ("name", "allowed-characters")),
        ({"name": "Gym\u2028flat 2"}, ("name", "allowed-characters")),
        ({"name": 42}, ("name", "string")),
        ({"name": None}, ("name", "string")),
        ({"excluded": "true"}, ("excluded", "boolean")),
        ({"excluded": 1}, ("excluded", "boolean")),
        ({"excluded": None}, ("excluded", "boolean")),
        ({"name": "Gym", "colour": "red"}, ("colour", "unknown-field")),
        ({"commitmentId": "x"}, ("commitmentId", "unknown-field")),
        ({}, ("name", "required")),
    ],
)
def test_a_bad_patch_is_422_naming_the_field_before_any_404(
    http: httpx.Client,
    alice: ApiUser,
    tag: str,
    body: dict[str, Any],
    error: tuple[str, str],
) -> None:
    submit(http, alice, f"Gym {tag}", NOW)
    (gym,) = [c["commitmentId"] for c in commitments(http, alice, tag).values()]
    unknown = str(uuid.uuid5(uuid.NAMESPACE_URL, tag))

    for commitment in (gym, unknown):
        response = http.patch(f"/commitments/{commitment}", json=body, headers=auth(alice))
        assert error in rules_of(assert_problem(response, 422))
    assert commitments(http, alice, tag)[f"Gym {tag}"]["excluded"] is False


@pytest.mark.parametrize(
    "commitment",
    [
        "not-a-uuid",
        "6598386E-4C5C-527E-8ECD-8A3639177C0F",  # upper case: not the id's text
        "{6598386e-4c5c-527e-8ecd-8a3639177c0f}",
        "6598386e4c5c527e8ecd8a3639177c0f",
    ],
)
def test_a_malformed_commitment_id_in_the_path_is_422(
    http: httpx.Client, alice: ApiUser, commitment: str
) -> None:
    patched = http.patch(f"/commitments/{commitment}", json={"name": "Gym"}, headers=auth(alice))
    merged = http.post(
        f"/commitments/{commitment}/merge",
        json={"into": "6598386e-4c5c-527e-8ecd-8a3639177c0f"},
        headers=auth(alice),
    )

    months = http.get(f"/commitments/{commitment}/months", headers=auth(alice))

    assert rules_of(assert_problem(patched, 422)) == [("commitmentId", "commitment-id")]
    assert rules_of(assert_problem(merged, 422)) == [("commitmentId", "commitment-id")]
    assert rules_of(assert_problem(months, 422)) == [("commitmentId", "commitment-id")]


def test_a_bad_merge_is_422_naming_the_field(http: httpx.Client, alice: ApiUser, tag: str) -> None:
    submit(http, alice, f"Gym {tag}", NOW)
    submit(http, alice, f"Tokyo gym {tag}", NOW, amount="5000", currency="JPY")
    ids = {name: c["commitmentId"] for name, c in commitments(http, alice, tag).items()}
    gym, tokyo = ids[f"Gym {tag}"], ids[f"Tokyo gym {tag}"]
    url = f"/commitments/{gym}/merge"

    def refused(body: dict[str, Any]) -> list[tuple[str, str]]:
        return rules_of(assert_problem(http.post(url, json=body, headers=auth(alice)), 422))

    assert refused({"into": gym}) == [("into", "same-commitment")]
    currencies = http.post(url, json={"into": tokyo}, headers=auth(alice))
    assert rules_of(assert_problem(currencies, 422)) == [("into", "same-currency")]
    assert "JPY" in currencies.json()["errors"][0]["message"]
    assert refused({}) == [("into", "required")]
    assert refused({"into": None}) == [("into", "commitment-id")]
    assert refused({"into": 7}) == [("into", "commitment-id")]
    assert refused({"into": gym.upper()}) == [("into", "commitment-id")]
    assert ("other", "unknown-field") in refused({"into": tokyo, "other": 1})
    assert refused({"name": "x"}) == [("name", "unknown-field"), ("into", "required")]
    assert set(commitments(http, alice, tag)) == {f"Gym {tag}", f"Tokyo gym {tag}"}


@pytest.mark.parametrize("route", ["patch", "merge"])
def test_bad_bodies_are_400_413_415_and_422_as_on_the_other_routes(
    http: httpx.Client, alice: ApiUser, tag: str, route: str
) -> None:
    submit(http, alice, f"Gym {tag}", NOW)
    (gym,) = [c["commitmentId"] for c in commitments(http, alice, tag).values()]
    method, url = ("PATCH", f"/commitments/{gym}")
    if route == "merge":
        method, url = ("POST", f"/commitments/{gym}/merge")
    json_type = {**auth(alice), "Content-Type": "application/json"}

    def send(content: bytes, headers: dict[str, str]) -> httpx.Response:
        return http.request(method, url, content=content, headers=headers)

    assert_problem(send(b'{"name":', json_type), 400)
    assert_problem(send(b'{"name":"a","name":"b"}', json_type), 400)
    assert_problem(send(b'{"excluded":NaN}', json_type), 400)
    assert_problem(send(b"", json_type), 400)
    assert_problem(send(b'{"name":"\xff"}', json_type), 400)
    big = json.dumps({"name": "x" * 9000}).encode()
    assert rules_of(assert_problem(send(big, json_type), 413)) == [("body", "max-size")]
    text = {**auth(alice), "Content-Type": "text/plain"}
    assert rules_of(assert_problem(send(b'{"name":"a"}', text), 415)) == [
        ("Content-Type", "media-type")
    ]
    no_type = auth(alice)
    assert_problem(send(b'{"name":"a"}', no_type), 415)
    assert rules_of(assert_problem(send(b'[{"name":"a"}]', json_type), 422)) == [
        ("body", "json-object")
    ]
    shown = commitments(http, alice, tag)
    assert (list(shown), shown[f"Gym {tag}"]["mergedFrom"]) == ([f"Gym {tag}"], [])


def test_without_a_valid_token_every_commitment_route_is_401(
    http: httpx.Client, alice: ApiUser
) -> None:
    some = "6598386e-4c5c-527e-8ecd-8a3639177c0f"
    assert_problem(http.get("/commitments"), 401)
    assert_problem(http.patch(f"/commitments/{some}", json={"name": "x"}), 401)
    assert_problem(http.get(f"/commitments/{some}/months"), 401)
    bad = {"Authorization": f"Bearer {alice.access_token[:-4]}AAAA"}
    assert_problem(http.post(f"/commitments/{some}/merge", json={"into": some}, headers=bad), 401)


@pytest.mark.skipif(DEPLOYED, reason="sets the customer's count in DynamoDB Local")
def test_past_the_correction_limit_a_change_is_422_and_records_nothing(
    http: httpx.Client, alice: ApiUser, tag: str, request: pytest.FixtureRequest
) -> None:
    gym = gym_of(http, alice, tag)
    config: LocalConfig = request.getfixturevalue("local_config")
    client = dynamodb_client(config.dynamodb.endpoint, config.region)
    client.update_item(  # as if 500 were recorded already
        TableName=config.dynamodb.table_name,
        Key={"PK": {"S": f"USER#{alice.sub}"}, "SK": {"S": "CUSTOMER"}},
        UpdateExpression="SET #count = :count",
        ExpressionAttributeNames={"#count": "corrections"},
        ExpressionAttributeValues={":count": {"N": "500"}},
    )
    submit(http, alice, f"Landlord {tag}", NOW)
    landlord = commitments(http, alice, tag)[f"Landlord {tag}"]["commitmentId"]

    renamed = http.patch(f"/commitments/{gym}", json={"name": "Gym"}, headers=auth(alice))
    merged = http.post(f"/commitments/{landlord}/merge", json={"into": gym}, headers=auth(alice))
    unchanged = http.patch(f"/commitments/{gym}", json={"excluded": False}, headers=auth(alice))

    for refused in (renamed, merged):
        problem = assert_problem(refused, 422)
        assert rules_of(problem) == [("commitmentId", "correction-limit")]
        assert problem["type"].endswith("correction-limit")
    assert unchanged.status_code == 200, unchanged.text  # nothing to record: no limit
    assert set(commitments(http, alice, tag)) == {f"PureGym {tag}", f"Landlord {tag}"}
    assert corrections_recorded(request, alice) == 0


def test_a_name_is_kept_in_nfc_and_the_same_name_spelled_otherwise_changes_nothing(
    http: httpx.Client, alice: ApiUser, tag: str, request: pytest.FixtureRequest
) -> None:
    gym = gym_of(http, alice, tag)
    url = f"/commitments/{gym}"

    first = http.patch(url, json={"name": f"Cafe\u0301 {tag}"}, headers=auth(alice))
    recorded = corrections_recorded(request, alice)
    again = http.patch(url, json={"name": f"Caf\u00e9 {tag}"}, headers=auth(alice))

    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert first.json()["name"] == again.json()["name"] == f"Caf\u00e9 {tag}"
    assert recorded is None or corrections_recorded(request, alice) == recorded


def test_the_published_patch_schema_refuses_what_the_api_refuses() -> None:
    """`{"name": null}`, `{"excluded": null}` and `{}` are answered 422 (above); the contract
    must not describe them as valid bodies (as VoidRequest's optional `reason` does not)."""
    schema = json.loads(OPENAPI.read_text(encoding="utf-8"))["components"]["schemas"][
        "CommitmentPatchBody"
    ]

    for name in ("name", "excluded"):
        variants = schema["properties"][name].get("anyOf", [schema["properties"][name]])
        assert {"type": "null"} not in variants, f"the contract lets {name} be null"
    assert schema.get("minProperties", 0) >= 1, "the contract lets the body be {}"


# -- the evidence behind each month (issue 16) ---------------------------------------------------


def test_the_months_of_a_commitment_show_each_due_date_its_payments_and_why(
    http: httpx.Client, alice: ApiUser, bob: ApiUser, tag: str
) -> None:
    gym = gym_of(http, alice, tag)
    listed = commitments(http, alice, tag)
    (live,) = listed.values()

    response = http.get(f"/commitments/{gym}/months", headers=auth(alice))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    answer = response.json()
    assert answer["commitmentId"] == gym
    months = answer["months"]
    newest = (datetime.now(UTC).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    assert len(months) == 24
    assert months[0]["month"] == newest
    # The live view's strip starts with the current month; the months route with the one before.
    assert "".join(m["code"] for m in months)[:23] == live["history24"][1:]
    paid = [(m, d) for m in months for d in m["dueDates"] if d["outcome"] == "paid"]
    assert len(paid) >= 4
    amounts = sorted(p["amount"] for _, d in paid for p in d["payments"])
    assert amounts.count("24.99") >= 1
    assert amounts.count("19.99") >= 3
    for month, due in paid:
        assert month["status"] == "current"
        assert due["why"].startswith("paid on ")
        (payment,) = due["payments"]
        assert set(payment) == {"paymentId", "timestamp", "amount", "currency"}
        stored = http.get(f"/payments/{payment['paymentId']}", headers=auth(alice)).json()
        assert (stored["timestamp"], stored["amount"]) == (payment["timestamp"], payment["amount"])
        assert month["payments"] == due["payments"]
    # Another customer's commitment, and an id no one has: 404 naming the parameter.
    for user, wanted in ((bob, gym), (alice, str(uuid.uuid4()))):
        missing = http.get(f"/commitments/{wanted}/months", headers=auth(user))
        assert rules_of(assert_problem(missing, 404))[0][0] == "commitmentId"


def test_the_months_of_a_merged_commitment_answer_for_its_target(
    http: httpx.Client, alice: ApiUser, tag: str
) -> None:
    gym = gym_of(http, alice, tag)
    submit(http, alice, f"Gym extra {tag}", months_ago(1), amount="5.00")
    extra = commitments(http, alice, tag)[f"Gym extra {tag}"]["commitmentId"]
    merged = http.post(f"/commitments/{extra}/merge", json={"into": gym}, headers=auth(alice))
    assert merged.status_code == 200, merged.text

    response = http.get(f"/commitments/{extra}/months", headers=auth(alice))

    assert response.status_code == 200, response.text
    assert response.json()["commitmentId"] == gym
