"""The CV list and the editor read the top bar's balance in their own query, and still show
it as it is now: right after a change, with the dispute warning, and without a balance row."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import CreditBalance, TransactionType
from billing.services import record_transaction
from cvs import services
from cvs.models import CV

pytestmark = pytest.mark.django_db

RICH_CV = json.loads((Path(__file__).parent / "fixtures" / "rich_cv.json").read_text())
BALANCE_TABLE = CreditBalance._meta.db_table


@pytest.fixture
def cv(alice) -> CV:
    return services.create_cv(alice, content=copy.deepcopy(RICH_CV), name="Backend CV")


@pytest.fixture(params=["list", "editor"])
def page(request, cv) -> str:
    return reverse("cvs:index") if request.param == "list" else reverse("cvs:detail", args=[cv.pk])


def _get(client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]


def test_it_reads_the_balance_without_a_query_of_its_own(alice, alice_client, page):
    record_transaction(alice.pk, amount=7, type=TransactionType.GIFT, key="g1")
    body, queries = _get(alice_client, page)
    assert "7 credits" in body
    # The balance is read inside the query of the page's CVs, not by a statement of its own.
    alone = [sql for sql in queries if BALANCE_TABLE in sql and '"cvs_cv"' not in sql]
    assert not alone, alone
    assert any(BALANCE_TABLE in sql and '"cvs_cv"' in sql for sql in queries)


def test_it_shows_the_new_balance_right_after_a_change(alice, alice_client, page):
    record_transaction(alice.pk, amount=7, type=TransactionType.GIFT, key="g1")
    assert "7 credits" in _get(alice_client, page)[0]
    record_transaction(alice.pk, amount=2, type=TransactionType.GIFT, key="g2")
    body = _get(alice_client, page)[0]
    assert "9 credits" in body and "7 credits" not in body


def test_it_warns_about_a_disputed_balance(alice, alice_client, page):
    record_transaction(alice.pk, amount=7, type=TransactionType.GIFT, key="g1")
    assert "credit-counter badge-warning" not in _get(alice_client, page)[0]
    CreditBalance.objects.filter(user=alice).update(disputed=True)
    assert "credit-counter badge-warning" in _get(alice_client, page)[0]


def test_it_shows_no_credits_before_the_first_one(alice, alice_client, page):
    CreditBalance.objects.filter(user=alice).delete()
    assert "0 credits" in _get(alice_client, page)[0]
