from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from billing.context_processors import CreditSummary, credits
from billing.http import render_payment_required
from billing.models import Feature, TransactionType
from billing.services import PaymentRequired, charge_feature, record_transaction

pytestmark = pytest.mark.django_db


def _refusal(alice) -> PaymentRequired:
    with pytest.raises(PaymentRequired) as refused:
        charge_feature(alice, Feature.GPT_CV_GENERATION, key="g1")
    return refused.value


def test_the_full_page_says_why_and_links_to_the_packs(alice):
    request = RequestFactory().get("/")
    request.user = alice
    response = render_payment_required(request, _refusal(alice))
    assert response.status_code == 402
    page = response.content.decode()
    assert "Not enough credits" in page
    assert "this costs 3 and your balance is 0" in page
    assert 'href="/billing/#packs"' in page


def test_an_htmx_request_gets_the_message_alone(alice):
    request = RequestFactory().get("/", HTTP_HX_REQUEST="true")
    request.user = alice
    request.htmx = True
    response = render_payment_required(request, _refusal(alice))
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_the_top_bar_counter_shows_the_balance(alice, alice_client):
    record_transaction(alice.pk, amount=7, type=TransactionType.GIFT, key="g")
    html = render_to_string(
        "billing/_credit_counter.html", {"credit_summary": CreditSummary(alice.pk)}
    )
    assert 'href="/billing/"' in html and "7 credits" in html
    assert 'id="credit-counter"' in html


def test_the_counter_is_silent_for_anonymous_visitors():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert credits(request) == {}
    assert render_to_string("billing/_credit_counter.html", credits(request)).strip() == ""


def test_the_balance_is_read_only_when_a_page_shows_it(alice, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = alice
    with django_assert_num_queries(0):
        summary = credits(request)["credit_summary"]
    with django_assert_num_queries(1):
        assert summary.balance == 0 and summary.blocked is False
