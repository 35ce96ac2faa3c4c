from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cvs import services as cv_services
from cvs.models import CV
from joboffers import services
from joboffers.models import JobOffer, LinkHistory
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
JOB_TEXT = (
    Path(__file__).resolve().parents[2] / "ai" / "tests" / "fixtures" / "jobs" / "backend-eng.txt"
).read_text()


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run the tasks queued by a request, as the worker would."""

    def run(callable_, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return callable_(*args, **kwargs)

    return run


@pytest.fixture
def local_pages(settings, httpserver):
    settings.FETCH_ALLOW_LOOPBACK = True
    return httpserver


def _url(server, path: str) -> str:
    # The fetcher refuses host names like "localhost": the test server is reached by address.
    return server.url_for(path).replace("localhost", "127.0.0.1")


def test_a_pasted_offer_is_extracted_by_the_offline_engine(alice_client, alice, run_tasks):
    response = run_tasks(alice_client.post, reverse("joboffers:index"), {"text": JOB_TEXT})
    offer = JobOffer.objects.get(user=alice)
    assert response["Location"] == reverse("joboffers:detail", args=[offer.pk])
    assert offer.extracted_at is not None
    assert "Senior Backend Engineer" in offer.content["title"]
    required = (
        offer.content["skills"]["hard_skills"]["required"]
        + offer.content["skills"]["tools"]["required"]
    )
    assert {"Python", "PostgreSQL", "Apache Kafka"} <= set(required)
    task = BackgroundTask.objects.get(type=TaskType.EXTRACT_JOB_OFFER)
    assert task.status == TaskStatus.COMPLETED
    assert task.result_url() == reverse("joboffers:detail", args=[offer.pk])


def test_the_same_offer_is_extracted_once(alice_client, alice, run_tasks):
    run_tasks(alice_client.post, reverse("joboffers:index"), {"text": JOB_TEXT})
    run_tasks(alice_client.post, reverse("joboffers:index"), {"text": JOB_TEXT})
    assert JobOffer.objects.filter(user=alice).count() == 1
    assert BackgroundTask.objects.filter(type=TaskType.EXTRACT_JOB_OFFER).count() == 1


def test_a_short_paste_is_refused_and_nothing_is_saved(alice_client):
    response = alice_client.post(reverse("joboffers:index"), {"text": "Python dev wanted"})
    assert response.status_code == 400
    assert "200 characters" in response.content.decode()
    assert not JobOffer.objects.exists()


def test_an_offer_page_is_fetched_and_read(alice_client, alice, local_pages, run_tasks):
    local_pages.expect_request("/jobs/42").respond_with_data(
        (FIXTURES / "plain_job.html").read_bytes(), content_type="text/html; charset=utf-8"
    )
    url = _url(local_pages, "/jobs/42") + "?utm_source=newsletter"
    run_tasks(alice_client.post, reverse("joboffers:index"), {"url": url})
    offer = JobOffer.objects.get(user=alice)
    assert "utm_source" not in offer.source_value
    assert offer.extracted_at is not None and offer.content["title"]
    assert LinkHistory.objects.filter(user=alice, url=offer.source_value).exists()


def test_a_login_wall_fails_the_task_with_a_paste_hint(alice_client, local_pages, run_tasks):
    local_pages.expect_request("/login-wall").respond_with_data(
        (FIXTURES / "login_wall.html").read_bytes(), content_type="text/html"
    )
    run_tasks(
        alice_client.post, reverse("joboffers:index"), {"url": _url(local_pages, "/login-wall")}
    )
    task = BackgroundTask.objects.get()
    assert task.status == TaskStatus.FAILED
    assert "Paste the offer text" in task.error


def test_a_private_address_is_never_fetched(alice_client, run_tasks):
    run_tasks(
        alice_client.post, reverse("joboffers:index"), {"url": "http://169.254.169.254/latest/"}
    )
    task = BackgroundTask.objects.get()
    assert task.status == TaskStatus.FAILED
    assert task.error  # a clear message, and pytest-socket would have caught a connection


def test_link_history_keeps_the_twenty_latest(alice):
    for n in range(25):
        services.remember_link(alice, f"https://jobs.example.org/{n}")
    urls = list(LinkHistory.objects.filter(user=alice).values_list("url", flat=True))
    assert len(urls) == 20
    assert "https://jobs.example.org/24" in urls and "https://jobs.example.org/0" not in urls


def test_a_pdf_offer_is_read(alice_client, alice, run_tasks):
    from weasyprint import HTML

    pdf = HTML(string="<pre>" + JOB_TEXT + "</pre>").write_pdf()
    upload = io.BytesIO(pdf)
    upload.name = "offer.pdf"
    run_tasks(alice_client.post, reverse("joboffers:index"), {"file": upload})
    offer = JobOffer.objects.get(user=alice)
    assert offer.source_type == "pdf" and offer.source_name == "offer.pdf"
    assert "Python" in offer.content["skills"]["hard_skills"]["required"]


def test_a_file_that_is_not_a_pdf_is_refused(alice_client):
    upload = io.BytesIO(b"<html>not a pdf</html>")
    upload.name = "offer.pdf"
    response = alice_client.post(reverse("joboffers:index"), {"file": upload})
    assert response.status_code == 400
    assert not JobOffer.objects.exists()


def test_deleting_an_offer_keeps_its_cvs_with_a_snapshot(alice_client, alice):
    offer = JobOffer.objects.create(
        user=alice,
        source_type="url",
        source_value="https://x.example.org/1",
        content={"title": "Dev"},
    )
    cv = CV.objects.create(
        user=alice,
        filename="a.json",
        job_offer=offer,
        job_offer_snapshot={"content": offer.content},
    )
    LinkHistory.objects.create(user=alice, url=offer.source_value)
    alice_client.post(reverse("joboffers:delete", args=[offer.pk]))
    cv.refresh_from_db()
    assert cv.job_offer is None and cv.job_offer_snapshot["content"]["title"] == "Dev"
    assert not LinkHistory.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("detail", "get"),
        ("reextract", "post"),
        ("delete", "post"),
        ("offer_cvs:tailor", "post"),
        ("offer_cvs:example_cv", "post"),
    ],
)
def test_another_users_offer_is_a_404(bob_client, alice, name, method):
    offer = JobOffer.objects.create(user=alice, source_type="text", source_value="text:x")
    url_name = name if ":" in name else f"joboffers:{name}"
    response = getattr(bob_client, method)(reverse(url_name, args=[offer.pk]))
    assert response.status_code == 404
    assert JobOffer.objects.filter(pk=offer.pk).exists()


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("joboffers:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_delete_rejects_get(alice_client, alice):
    offer = JobOffer.objects.create(user=alice, source_type="text", source_value="text:x")
    assert alice_client.get(reverse("joboffers:delete", args=[offer.pk])).status_code == 405


def test_the_list_shows_only_the_users_offers(alice_client, alice, bob):
    JobOffer.objects.create(
        user=alice, source_type="text", source_value="a", content={"title": "Mine"}
    )
    JobOffer.objects.create(
        user=bob, source_type="text", source_value="b", content={"title": "Bobs"}
    )
    body = alice_client.get(reverse("joboffers:index")).content.decode()
    assert "Mine" in body and "Bobs" not in body


def test_the_cv_services_do_not_leak_other_users_cvs(alice, bob):
    cv_services.create_cv(bob, content={"header": {"full_name": "Bob", "current_title": "Dev"}})
    assert not CV.objects.owned_by(alice).exists()


def test_the_offer_page_names_its_skill_groups_in_the_users_language(alice_client, alice):
    alice.language = "fr"
    alice.save(update_fields=["language"])
    offer = JobOffer.objects.create(
        user=alice,
        source_type="text",
        source_value="text:x",
        extracted_at=timezone.now(),
        content={
            "title": "Dev",
            "skills": {
                "hard_skills": {"required": ["Python"], "nice_to_have": []},
                "tools": {"required": ["Docker"], "nice_to_have": []},
            },
        },
    )
    page = alice_client.get(reverse("joboffers:detail", args=[offer.pk])).content.decode()
    assert "Compétences techniques" in page and "Outils" in page
    assert "Hardskills" not in page
