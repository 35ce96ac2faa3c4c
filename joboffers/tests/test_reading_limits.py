"""Reading offers is free but each reading is a model call: a per-user allowance per minute and
per day (settings), refused with a 429 that says why, and nothing added."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import Setting
from core.testing import run_in_threads
from joboffers import services
from joboffers.models import JobOffer, LinkHistory
from jobs.models import BackgroundTask, TaskType, Upload

pytestmark = pytest.mark.django_db

JOB_TEXT = (
    Path(__file__).resolve().parents[2] / "ai" / "tests" / "fixtures" / "jobs" / "backend-eng.txt"
).read_text()


def _allow(**limits: int) -> None:
    for name, value in limits.items():
        Setting.objects.create(name=name, value=str(value), category="tasks")


def _text(n: int) -> str:
    return f"{JOB_TEXT}\nReference {n}"


def _readings(user) -> int:
    return BackgroundTask.objects.filter(user=user, type=TaskType.EXTRACT_JOB_OFFER).count()


def test_past_the_allowance_per_minute_an_offer_is_refused_with_a_429(alice_client, alice):
    _allow(offer_reads_per_minute=3)
    for n in range(3):
        response = alice_client.post(reverse("joboffers:index"), {"text": _text(n)})
        assert response.status_code == 302
    offers = set(JobOffer.objects.values_list("pk", flat=True))

    response = alice_client.post(reverse("joboffers:index"), {"text": _text(99)})

    assert response.status_code == 429
    assert "in the last minute" in response.content.decode()
    assert set(JobOffer.objects.values_list("pk", flat=True)) == offers
    assert _readings(alice) == 3


def test_an_htmx_post_past_the_allowance_gets_the_form_with_its_message(alice_client, alice):
    _allow(offer_reads_per_minute=1)
    alice_client.post(reverse("joboffers:index"), {"text": _text(1)})

    response = alice_client.post(
        reverse("joboffers:index"), {"text": _text(2)}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 429
    body = response.content.decode()
    assert "in the last minute" in body and "<html" not in body
    assert JobOffer.objects.count() == 1


def test_a_minute_later_the_allowance_is_back(alice_client, alice):
    _allow(offer_reads_per_minute=1)
    alice_client.post(reverse("joboffers:index"), {"text": _text(1)})
    BackgroundTask.objects.update(created_at=timezone.now() - timedelta(seconds=61))

    response = alice_client.post(reverse("joboffers:index"), {"text": _text(2)})

    assert response.status_code == 302
    assert _readings(alice) == 2


def test_past_the_allowance_per_day_links_and_pdfs_are_refused_too(alice_client, alice):
    _allow(offer_reads_per_day=2)
    alice_client.post(reverse("joboffers:index"), {"text": _text(1)})
    alice_client.post(reverse("joboffers:index"), {"text": _text(2)})
    BackgroundTask.objects.update(created_at=timezone.now() - timedelta(hours=23))

    by_link = alice_client.post(reverse("joboffers:index"), {"url": "https://jobs.example.org/1"})
    pdf = SimpleUploadedFile("offer.pdf", b"%PDF-1.4\n" + b"x" * 400, "application/pdf")
    by_file = alice_client.post(reverse("joboffers:index"), {"file": pdf})

    for response in (by_link, by_file):
        assert response.status_code == 429
        assert "in the last 24 hours" in response.content.decode()
    assert JobOffer.objects.count() == 2
    assert not LinkHistory.objects.exists()
    assert not Upload.objects.exists()
    assert _readings(alice) == 2


def test_readings_older_than_a_day_no_longer_count(alice_client, alice):
    _allow(offer_reads_per_day=1)
    alice_client.post(reverse("joboffers:index"), {"text": _text(1)})
    BackgroundTask.objects.update(created_at=timezone.now() - timedelta(hours=25))

    assert alice_client.post(reverse("joboffers:index"), {"text": _text(2)}).status_code == 302


def test_the_allowance_is_per_user(alice_client, alice, bob):
    _allow(offer_reads_per_minute=1)
    alice_client.post(reverse("joboffers:index"), {"text": _text(1)})
    bob_client = Client()
    bob_client.force_login(bob)

    assert bob_client.post(reverse("joboffers:index"), {"text": _text(1)}).status_code == 302
    assert alice_client.post(reverse("joboffers:index"), {"text": _text(2)}).status_code == 429


def test_reading_again_past_the_allowance_keeps_what_was_read(alice_client, alice):
    _allow(offer_reads_per_minute=1)
    read = timezone.now() - timedelta(days=3)
    offer = JobOffer.objects.create(
        user=alice, source_type="text", source_value="text:abc", source_name="Read offer",
        source_text=JOB_TEXT, content={"title": "Backend engineer"}, extracted_at=read,
    )  # fmt: skip
    alice_client.post(reverse("joboffers:index"), {"text": _text(1)})

    response = alice_client.post(reverse("joboffers:reextract", args=[offer.pk]))
    htmx = alice_client.post(
        reverse("joboffers:reextract", args=[offer.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 429 and htmx.status_code == 429
    assert "in the last minute" in response.content.decode()
    assert "in the last minute" in htmx.content.decode()
    offer.refresh_from_db()
    assert offer.extracted_at == read
    assert _readings(alice) == 1


def test_the_same_offer_added_while_it_is_read_queues_one_reading(alice_client, alice):
    for _ in range(5):
        response = alice_client.post(reverse("joboffers:index"), {"text": JOB_TEXT})
        assert response.status_code == 302
    assert _readings(alice) == 1


@pytest.mark.django_db(transaction=True)
def test_posts_at_the_same_moment_cannot_overdraw_the_allowance(alice, monkeypatch):
    monkeypatch.setattr("jobs.tasks.run_task.delay", lambda task_id: None)  # no worker here
    _allow(offer_reads_per_minute=2)
    texts = iter(range(6))
    refused = []

    def add() -> None:
        try:
            services.add_offer(alice, text=_text(next(texts)))
        except services.ReadingLimitReached:
            refused.append(True)

    run_in_threads(add, 6)

    assert _readings(alice) == 2
    assert JobOffer.objects.count() == 2
    assert len(refused) == 4
