"""A client generated from docs/api/openapi.json drives the API (issue 11, point 12).

openapi-python-client (a standard generator, pinned in the dev dependencies) writes a client into a
temporary folder; its methods are named after the designed operation ids. The test imports it and
drives submit, get, list, void and consent against the session's stack with a real token, and reads
the problem+json answers through the generated `Problem` model.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from payments_tracker.local.services import PROJECT_ROOT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from conftest import ApiUser

pytestmark = pytest.mark.e2e

OPENAPI = PROJECT_ROOT / "docs" / "api" / "openapi.json"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "payments_tracker_generated_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated client package, importable for this module's tests."""
    folder = tmp_path_factory.mktemp("generated-client")
    config = folder / "generator.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")  # no formatter run: not needed
    completed = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(OPENAPI),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "Warning" not in output, output  # every schema and operation was understood
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def operation(generated: ModuleType, tag: str, name: str) -> Any:
    return importlib.import_module(f"{generated.__name__}.api.{tag}.{name}")


def test_the_generated_methods_are_named_after_the_designed_operation_ids(
    generated: ModuleType,
) -> None:
    api = importlib.import_module(f"{generated.__name__}.api")
    names = {
        f"{tag.name}.{module.name}"
        for tag in pkgutil.iter_modules(api.__path__)
        for module in pkgutil.iter_modules([str(Path(api.__path__[0]) / tag.name)])
    }

    assert names == {
        "payments.submit_payment",
        "payments.get_payment",
        "payments.list_payments",
        "payments.void_payment",
        "reports.get_report",
        "consent.get_consent",
        "consent.set_consent",
        "commitments.list_commitments",
        "commitments.correct_commitment",
        "commitments.merge_commitment",
        "commitments.get_commitment_months",
    }


def test_the_generated_client_submits_reads_lists_and_voids_a_payment(
    generated: ModuleType, api_url: str, api_user: Callable[[], ApiUser]
) -> None:
    user = api_user()
    models = importlib.import_module(f"{generated.__name__}.models")
    client = generated.AuthenticatedClient(base_url=api_url, token=user.access_token, timeout=30)
    payment_id = str(uuid.uuid4())
    submission = models.PaymentSubmission(
        payment_id=payment_id,
        user_id=user.sub,
        timestamp=datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1),
        description="Netflix",
        currency=models.CurrencyCode.GBP,
        amount="12.9",
    )

    created = operation(generated, "payments", "submit_payment").sync_detailed(
        client=client, body=submission
    )
    assert created.status_code == 201, created.content
    stored = created.parsed
    assert isinstance(stored, models.PaymentView)
    assert stored.amount == "12.90"
    assert created.headers["location"].endswith(f"/payments/{payment_id}")

    fetched = operation(generated, "payments", "get_payment").sync(payment_id, client=client)
    assert isinstance(fetched, models.PaymentView)
    assert fetched.to_dict() == stored.to_dict()

    page = operation(generated, "payments", "list_payments").sync(
        client=client, month=stored.month, limit=100
    )
    assert isinstance(page, models.PaymentPage)
    assert payment_id in [item.payment_id for item in page.items]

    void = operation(generated, "payments", "void_payment")
    voided = void.sync(payment_id, client=client, body=models.VoidRequest(reason="Entered twice"))
    assert isinstance(voided, models.PaymentView)
    assert voided.status == models.PaymentViewStatus.VOIDED
    assert voided.void_reason == "Entered twice"
    assert voided.voided_by == user.sub
    again = void.sync(payment_id, client=client)  # no body: the first voiding stands
    assert isinstance(again, models.PaymentView)
    assert again.to_dict() == voided.to_dict()


def test_the_generated_client_reads_problems_and_sets_consent(
    generated: ModuleType, api_url: str, api_user: Callable[[], ApiUser]
) -> None:
    user = api_user()
    models = importlib.import_module(f"{generated.__name__}.models")
    client = generated.AuthenticatedClient(base_url=api_url, token=user.access_token, timeout=30)

    missing = operation(generated, "payments", "void_payment").sync_detailed(
        str(uuid.uuid4()), client=client
    )
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.Problem)
    assert missing.parsed.type_ == "/problems/not-found"

    zero = models.PaymentSubmission(
        payment_id=str(uuid.uuid4()),
        user_id=user.sub,
        timestamp=datetime.now(UTC).replace(microsecond=0),
        description="Gym",
        currency=models.CurrencyCode.EUR,
        amount="0.00",
    )
    refused = operation(generated, "payments", "submit_payment").sync_detailed(
        client=client, body=zero
    )
    assert refused.status_code == 422
    assert isinstance(refused.parsed, models.Problem)
    assert [(e.field, e.rule) for e in refused.parsed.errors] == [("amount", "positive")]

    consent = operation(generated, "consent", "get_consent").sync(client=client)
    assert isinstance(consent, models.ConsentView)
    given = operation(generated, "consent", "set_consent").sync(
        client=client,
        body=models.ConsentUpdate(credit_file_sharing=True, terms_version="2026-11"),
    )
    assert isinstance(given, models.ConsentView)
    assert given.credit_file_sharing is True
    assert given.terms_version == "2026-11"
    assert given.history[0].credit_file_sharing is True

    unauthenticated = generated.Client(base_url=api_url, timeout=30)
    no_token = operation(generated, "consent", "get_consent").sync_detailed(client=unauthenticated)
    assert no_token.status_code == 401
    assert isinstance(no_token.parsed, models.Problem)
