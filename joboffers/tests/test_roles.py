from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from ai.offline.extract import extract_job_offer
from cvs import services as cv_services
from joboffers.models import JobOffer
from joboffers.roles import closest_role, role_for_cv

pytestmark = pytest.mark.django_db

MULTI_ROLE = (
    Path(__file__).resolve().parents[2] / "ai" / "tests" / "fixtures" / "jobs" / "en-multi-role.txt"
).read_text()


@pytest.fixture
def offer(alice):
    return JobOffer.objects.create(
        user=alice,
        source_type="text",
        source_value="text:multi",
        content=extract_job_offer(MULTI_ROLE),
        extracted_at=timezone.now(),
    )


def test_the_role_closest_to_the_cv_is_chosen() -> None:
    content = extract_job_offer(MULTI_ROLE)

    assert closest_role(content, skills=["React", "TypeScript"], titles=[]) == "Fullstack Engineer"
    assert closest_role(content, skills=["Zendesk"], titles=[]) == "Customer Success Engineer"
    assert closest_role(content, skills=[], titles=["Developer Advocate"]) == "Developer Advocate"
    offer, role, picked = role_for_cv(content, ["Zendesk", "SQL"], [])
    assert (offer["title"], role, picked) == ("Customer Success Engineer",) * 2 + (False,)
    assert "Zendesk" in offer["skills"]["tools"]["required"]


def test_the_offer_page_says_which_role_was_used(alice, alice_client, offer) -> None:
    cv_services.create_cv(
        alice,
        content={
            "header": {"full_name": "Alice", "current_title": "Frontend Developer"},
            "skills": {"hard_skills": [{"name": "React"}, {"name": "TypeScript"}]},
        },
    )

    page = alice_client.get(reverse("joboffers:detail", args=[offer.pk])).content.decode()

    assert "We used the role closest to your CV: Fullstack Engineer." in page
    assert "Pick another" in page


def test_the_user_picks_a_role(alice_client, offer) -> None:
    url = reverse("joboffers:pick_role", args=[offer.pk])

    response = alice_client.post(url, {"role": "Developer Advocate"})

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.content["selected_role"] == "Developer Advocate"
    content, role, picked = role_for_cv(offer.content, ["React"], [])
    assert (content["title"], role, picked) == ("Developer Advocate", "Developer Advocate", True)
    page = alice_client.get(reverse("joboffers:detail", args=[offer.pk])).content.decode()
    assert "You picked the role: Developer Advocate." in page

    alice_client.post(url, {"role": "Astronaut"})
    offer.refresh_from_db()
    assert offer.content["selected_role"] == "Developer Advocate"


def test_a_posting_for_several_roles_is_read_from_pasted_text(
    alice, alice_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("joboffers:index"), {"text": MULTI_ROLE})

    offer = JobOffer.objects.get(user=alice)
    assert offer.extracted_at is not None
    assert len(offer.content["roles"]) == 4
