"""The offer page follows its reading live, and an offer that could not be read is marked
wherever offers are listed and refused for tailoring, with no charge."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import CreditBalance, TransactionType
from billing.services import record_transaction
from cvs import services as cv_services
from joboffers.models import JobOffer, OfferSourceType
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CV = json.loads((ROOT / "ai/tests/fixtures/cvs/backend-engineer.cv.json").read_text())
REASON = "This page asks for a login, so we cannot read it. Paste the offer text instead."


def _offer(user, **fields) -> JobOffer:
    fields.setdefault("source_type", OfferSourceType.URL)
    fields.setdefault("source_value", "https://jobs.example.org/42")
    return JobOffer.objects.create(user=user, **fields)


def _reading(offer, status, error="") -> BackgroundTask:
    return BackgroundTask.objects.create(
        user=offer.user,
        type=TaskType.EXTRACT_JOB_OFFER,
        status=status,
        error=error,
        title="Reading",
        payload={"offer_id": offer.pk},
    )


def _fragment(client, offer) -> str:
    url = reverse("joboffers:detail", args=[offer.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    return body


def test_an_offer_being_read_polls_its_body(alice_client, alice):
    offer = _offer(alice)
    _reading(offer, TaskStatus.RUNNING)
    body = _fragment(alice_client, offer)
    assert 'hx-trigger="every 1s"' in body and 'id="offer-reading"' in body
    # The full page carries the same polling body.
    page = alice_client.get(reverse("joboffers:detail", args=[offer.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page


def test_a_read_offer_is_shown_without_polling(alice_client, alice):
    offer = _offer(alice, content={"title": "Data Engineer"}, extracted_at=timezone.now())
    _reading(offer, TaskStatus.COMPLETED)
    body = _fragment(alice_client, offer)
    assert "Data Engineer" in body and "Tailor a CV to this offer" in body
    assert "every 1s" not in body


def test_a_failed_offer_shows_the_reason_and_a_retry(alice_client, alice):
    offer = _offer(alice)
    _reading(offer, TaskStatus.FAILED, REASON)
    body = _fragment(alice_client, offer)
    assert "every 1s" not in body
    assert 'id="offer-failed"' in body and "asks for a login" in body
    assert reverse("joboffers:reextract", args=[offer.pk]) in body
    assert "Tailor a CV to this offer" not in body


def test_a_new_reading_after_a_failure_polls_again(alice_client, alice):
    offer = _offer(alice)
    _reading(offer, TaskStatus.FAILED, REASON)
    _reading(offer, TaskStatus.QUEUED)
    assert "every 1s" in _fragment(alice_client, offer)


def test_the_offer_list_marks_failed_offers(alice_client, alice):
    failed = _offer(alice, source_name="Broken link")
    _reading(failed, TaskStatus.FAILED, REASON)
    _offer(alice, source_value="https://jobs.example.org/43", source_name="Still reading")
    body = alice_client.get(reverse("joboffers:index")).content.decode()
    assert body.count("Could not be read") == 1
    assert body.index("Broken link") < body.index("Could not be read")


class TestTailoringRefusesFailedOffers:
    @pytest.fixture
    def setup(self, alice):
        record_transaction(alice.pk, amount=10, type=TransactionType.GIFT, key="test:live")
        master = cv_services.create_cv(alice, content=copy.deepcopy(SAMPLE_CV), name="Master")
        offer = _offer(alice, source_name="Broken link")
        _reading(offer, TaskStatus.FAILED, REASON)
        return master, offer

    def _balance(self, user) -> int:
        return CreditBalance.objects.get(user=user).balance

    def test_the_checklist_marks_it(self, alice_client, setup):
        master, _offer_ = setup
        body = alice_client.get(reverse("cvs:tailor", args=[master.pk])).content.decode()
        assert "Broken link (could not be read)" in body

    def test_the_checklist_does_not_let_it_be_ticked(self, alice_client, setup):
        master, offer = setup
        body = alice_client.get(reverse("cvs:tailor", args=[master.pk])).content.decode()
        box = rf'<input type="checkbox" name="offers" value="{offer.pk}"[^>]*>'
        checkbox = re.search(box, body)
        assert checkbox and "disabled" in checkbox.group(0)

    def test_the_form_refuses_it_with_no_charge(self, alice_client, alice, setup):
        master, offer = setup
        response = alice_client.post(reverse("cvs:tailor", args=[master.pk]), {"offers": offer.pk})
        assert response.status_code == 400
        assert "could not be read" in response.content.decode()
        assert not BackgroundTask.objects.filter(type=TaskType.GENERATE_CV).exists()
        assert self._balance(alice) == 10

    def test_the_offer_page_refuses_it_with_no_charge(self, alice_client, alice, setup):
        master, offer = setup
        for name in ("offer_cvs:tailor", "offer_cvs:example_cv"):
            response = alice_client.post(reverse(name, args=[offer.pk]), {"base_cv": master.pk})
            assert response["Location"] == reverse("joboffers:detail", args=[offer.pk])
        assert not BackgroundTask.objects.exclude(type=TaskType.EXTRACT_JOB_OFFER).exists()
        assert self._balance(alice) == 10
