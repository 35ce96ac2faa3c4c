"""The CV page follows its background jobs live: it polls a small part while one runs, and
that part answers with the result (score card, failure reason, translated CV, improved
editor) once the job ends."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cvs import services
from cvs.models import CV, RunStatus
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CV = json.loads((ROOT / "ai/tests/fixtures/cvs/backend-engineer.cv.json").read_text())


@pytest.fixture
def cv(alice) -> CV:
    cv = services.create_cv(alice, content=copy.deepcopy(SAMPLE_CV), name="Tailored")
    CV.objects.filter(pk=cv.pk).update(job_offer_snapshot={"title": "Backend Engineer"})
    cv.refresh_from_db()
    return cv


def _task(cv, type, status, **fields) -> BackgroundTask:
    if status not in (TaskStatus.QUEUED, TaskStatus.RUNNING):
        fields.setdefault("finished_at", timezone.now())
    return BackgroundTask.objects.create(
        user=cv.user, cv=cv, type=type, status=status, title=f"{type} of {cv}", **fields
    )


def _poll(client, cv, watch: str = ""):
    url = reverse("cvs:detail", args=[cv.pk])
    response = client.get(url, {"part": "live", "watch": watch}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    return response


def test_the_page_polls_while_the_score_is_computed(alice_client, cv):
    CV.objects.filter(pk=cv.pk).update(match_score_status=RunStatus.IN_PROGRESS)
    task = _task(cv, TaskType.CALCULATE_MATCH_SCORE, TaskStatus.RUNNING, step="Reading")
    page = alice_client.get(reverse("cvs:detail", args=[cv.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and f"watch={task.pk}" in page
    body = _poll(alice_client, cv, str(task.pk)).content.decode()
    assert 'hx-trigger="every 1s"' in body and "Reading" in body


def test_a_finished_score_comes_back_with_the_score_card_and_no_polling(alice_client, cv):
    task = _task(cv, TaskType.CALCULATE_MATCH_SCORE, TaskStatus.COMPLETED)
    CV.objects.filter(pk=cv.pk).update(match_score=72, match_score_status=RunStatus.IDLE)
    body = _poll(alice_client, cv, str(task.pk)).content.decode()
    assert "every 1s" not in body
    assert 'id="score" hx-swap-oob="true"' in body
    assert '<span class="score-big">72</span>' in body


def test_a_failed_job_shows_its_reason(alice_client, cv):
    task = _task(cv, TaskType.CALCULATE_MATCH_SCORE, TaskStatus.FAILED, error="The AI is busy.")
    body = _poll(alice_client, cv, str(task.pk)).content.decode()
    assert "every 1s" not in body and "The AI is busy." in body
    assert "Compute the match score" in body  # the score card is back to its button


def test_a_finished_translation_links_to_the_new_cv(alice_client, alice, cv):
    translated = services.create_cv(alice, content=copy.deepcopy(SAMPLE_CV), name="FR")
    task = _task(
        cv,
        TaskType.TRANSLATE_CV,
        TaskStatus.COMPLETED,
        result={"cv_id": translated.pk},
        success_message="Translation ready.",
    )
    body = _poll(alice_client, cv, str(task.pk)).content.decode()
    assert "every 1s" not in body
    assert f'href="{translated.get_absolute_url()}"' in body and "Open the translated CV" in body


def test_a_finished_improvement_refreshes_the_whole_editor(alice_client, cv):
    task = _task(cv, TaskType.IMPROVE_CV, TaskStatus.COMPLETED)
    response = _poll(alice_client, cv, str(task.pk))
    assert response["HX-Retarget"] == "#editor"
    body = response.content.decode()
    assert 'id="editor"' in body and "every 1s" not in body


def test_another_users_cv_cannot_be_polled(bob_client, cv):
    url = reverse("cvs:detail", args=[cv.pk])
    assert bob_client.get(url, {"part": "live"}, HTTP_HX_REQUEST="true").status_code == 404
