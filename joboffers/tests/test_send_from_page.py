"""What the "Send to FitMyCV" bookmarklet posts from a job page: a new offer of the token's user,
read like a pasted text (same allowance, size limits and cache), or a page of ours saying why
not. The token alone authenticates: cookies add nothing, and a forged post creates nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from core.models import Setting
from joboffers.models import JobOffer
from jobs.models import BackgroundTask, TaskType

pytestmark = pytest.mark.django_db

SEND = "/offers/send/"
JOB_TEXT = (
    Path(__file__).resolve().parents[2] / "ai" / "tests" / "fixtures" / "jobs" / "backend-eng.txt"
).read_text()
PAGE = "https://careers.example.com/jobs/42-backend-engineer?utm_source=linkedin#apply"


@pytest.fixture
def token(alice: Any) -> str:
    return account_services.create_bookmarklet_token(alice, name="Laptop")[1]


def _page(token: str, **fields: str) -> dict[str, str]:
    return {
        "token": token,
        "url": PAGE,
        "title": "Senior Backend Engineer - Example Careers",
        "selection": "",
        "text": JOB_TEXT,
        **fields,
    }


def _nothing_added() -> bool:
    return not JobOffer.objects.exists() and not BackgroundTask.objects.exists()


def test_it_adds_the_page_as_an_offer_and_opens_it(client, alice, token):
    response = client.post(SEND, _page(token))

    assert response.status_code == 303
    offer = JobOffer.objects.get()
    assert response["Location"] == reverse("joboffers:detail", args=[offer.pk])
    assert offer.user == alice
    assert offer.source_type == "text"
    assert offer.source_text == JOB_TEXT.strip()
    assert offer.page_url == "https://careers.example.com/jobs/42-backend-engineer"
    assert offer.source_name == "Senior Backend Engineer - Example Careers"
    # Queued for reading like a pasted offer.
    reading = BackgroundTask.objects.get(user=alice, type=TaskType.EXTRACT_JOB_OFFER)
    assert reading.payload == {"offer_id": offer.pk}


def test_the_offer_page_links_back_to_the_job_page(alice_client, alice, token):
    Client().post(SEND, _page(token))
    offer = JobOffer.objects.get()

    body = alice_client.get(reverse("joboffers:detail", args=[offer.pk])).content.decode()

    assert 'href="https://careers.example.com/jobs/42-backend-engineer"' in body


def test_the_selection_is_used_when_given(client, token):
    selection = JOB_TEXT[:1500]

    response = client.post(SEND, _page(token, selection=selection, text=JOB_TEXT))

    assert response.status_code == 303
    assert JobOffer.objects.get().source_text == selection.strip()


def test_line_breaks_sent_as_crlf_are_kept_as_the_page_showed_them(client, token):
    client.post(SEND, _page(token, text=JOB_TEXT.replace("\n", "\r\n")))
    assert JobOffer.objects.get().source_text == JOB_TEXT.strip()


def test_the_same_text_twice_is_the_same_offer_read_once(client, token):
    first = client.post(SEND, _page(token))
    second = client.post(SEND, _page(token, url="https://other.example/same-offer"))

    assert first["Location"] == second["Location"]
    assert JobOffer.objects.count() == 1
    assert BackgroundTask.objects.filter(type=TaskType.EXTRACT_JOB_OFFER).count() == 1


def test_a_pasted_offer_and_the_same_text_sent_are_one_offer(alice_client, client, token):
    alice_client.post(reverse("joboffers:index"), {"text": JOB_TEXT})
    client.post(SEND, _page(token))
    assert JobOffer.objects.count() == 1


def test_the_offer_goes_to_the_tokens_user_never_the_signed_in_one(alice, bob, bob_client, token):
    # Bob's browser session is ignored: the token is Alice's, so is the offer.
    response = bob_client.post(SEND, _page(token))

    assert response.status_code == 303
    assert JobOffer.objects.get().user == alice
    assert not JobOffer.objects.filter(user=bob).exists()


def test_past_the_reading_allowance_it_answers_429_and_adds_nothing(client, alice, token):
    Setting.objects.create(name="offer_reads_per_minute", value="1", category="tasks")
    client.post(SEND, _page(token, text=JOB_TEXT + "\nReference 1"))

    response = client.post(SEND, _page(token, text=JOB_TEXT + "\nReference 2"))

    assert response.status_code == 429
    assert "in the last minute" in response.content.decode()
    assert JobOffer.objects.count() == 1
    assert BackgroundTask.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"text": "", "selection": ""}, 400, "No text came with this page"),
        ({"text": "   \n\t ", "selection": " "}, 400, "No text came with this page"),
        ({"text": "Backend engineer, apply now."}, 400, "too short for an offer"),
        ({"selection": "Backend engineer"}, 400, "too short for an offer"),
        ({"text": "x" * 60_001}, 413, "longer than an offer can be"),
    ],
)
def test_bad_text_is_refused_with_a_clear_page_and_nothing_stored(
    client, token, fields, status, says
):
    response = client.post(SEND, _page(token, **fields))

    assert response.status_code == status
    assert says in response.content.decode()
    assert "Paste the offer instead" in response.content.decode()
    assert _nothing_added()


def test_a_body_past_the_sites_request_cap_is_refused_before_the_view(client, token, settings):
    # The bookmarklet never sends that much (60,000 characters at most); a request past
    # DATA_UPLOAD_MAX_MEMORY_SIZE is refused by the site-wide form guard, before any reading.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    text = (JOB_TEXT * 20)[:15_000]  # within an offer's size, past what a request may carry
    response = client.post(
        SEND, urlencode(_page(token, text=text)), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert _nothing_added()


def test_an_address_that_is_not_a_web_page_is_dropped_not_refused(client, token):
    for n, url in enumerate(["javascript:alert(1)", "file:///home/me/job.html", "", "x" * 3000]):
        client.post(SEND, _page(token, url=url, text=f"{JOB_TEXT}\nReference {n}"))
    assert list(JobOffer.objects.values_list("page_url", flat=True)) == ["", "", "", ""]


def test_a_revoked_bookmarklet_gets_a_403_page_telling_to_install_a_new_one(client, alice):
    token, raw = account_services.create_bookmarklet_token(alice, name="Laptop")
    account_services.revoke_bookmarklet_token(token)

    response = client.post(SEND, _page(raw))

    assert response.status_code == 403
    body = response.content.decode()
    assert "This bookmarklet no longer works" in body
    assert 'href="/account/#bookmarklet"' in body
    assert _nothing_added()


@pytest.mark.parametrize("bad", ["", "fmcv_not-a-token", "tampered", "x" * 5000])
def test_an_unknown_or_tampered_token_gets_a_403_and_adds_nothing(client, alice, token, bad):
    response = client.post(SEND, _page(bad or token[:-2]))

    assert response.status_code == 403
    assert "This bookmarklet is not valid" in response.content.decode()
    assert _nothing_added()


def test_a_post_without_any_token_adds_nothing(client):
    response = client.post(SEND, {"url": PAGE, "text": JOB_TEXT})
    assert response.status_code == 403
    assert _nothing_added()


def test_cookies_alone_never_add_an_offer(alice, token):
    """A hostile page posting cross-site with the signed-in user's cookies but no token (it
    cannot know it) creates nothing, whether CSRF checks run or not."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)

    response = browser.post(
        SEND,
        {"url": PAGE, "text": JOB_TEXT},
        headers={"Origin": "https://evil.example", "Referer": "https://evil.example/"},
    )

    assert response.status_code == 403
    assert _nothing_added()


def test_get_is_refused(client, token):
    response = client.get(SEND, _page(token))
    assert response.status_code == 405
    assert _nothing_added()


def test_the_answer_gives_a_page_nothing_to_read_back(client, token):
    # No CORS, no JSON: the job page's scripts cannot read what we answer.
    for response in (
        client.post(SEND, _page(token), headers={"Origin": "https://careers.example.com"}),
        client.post(SEND, _page(token, text=""), headers={"Origin": "https://evil.example"}),
    ):
        assert "Access-Control-Allow-Origin" not in response
        assert not response.get("Content-Type", "").startswith("application/json")
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
    assert b"alice" not in client.post(SEND, _page(token, text="")).content


def test_the_error_page_speaks_the_users_language(client, alice, token):
    alice.language = "fr"
    alice.save()
    response = client.post(SEND, _page(token, text=""), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert '<html lang="fr"' in response.content.decode()


def test_hostile_fields_never_make_a_500(client, token):
    for fields in (
        {"title": "<script>alert(1)</script>" * 100},
        {"url": "https://[::1"},
        {"url": "http://user:pass@example.com/"},
        {"selection": "\u202e" * 300},
    ):
        response = client.post(SEND, _page(token, **fields))
        assert response.status_code < 500, fields
        assert b"<script>alert" not in response.content
