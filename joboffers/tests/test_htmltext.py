"""Fetched pages are read in a sandboxed child: a hostile page costs seconds, not the worker."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from joboffers import htmltext
from joboffers.htmltext import TOO_COMPLEX, PageUnreadable, read_page
from joboffers.models import JobOffer
from jobs.models import BackgroundTask, TaskStatus
from jobs.services import user_message

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = {
    "plain_job.html": "https://jobboard.example/jobs/4711",
    "jsonld_graph.html": "https://carrieres.acme.example/o/42",
    "login_wall.html": "https://pronetwork.example/jobs/view/1",
    "expired.html": "https://emploiplus.example/o/99",
    "js_shell.html": "https://careers.example/",
}


def hostile_page(size: int = htmltext.MAX_HTML_BYTES) -> bytes:
    """Elements with 20,000 attributes each, up to `size` bytes: minutes of parsing unbounded."""
    attributes = " ".join(f'a{i}="x"' for i in range(20_000))
    element = f"<div {attributes}>x</div>".encode()
    head = b"<html><head><title>Offer</title></head><body>"
    return (head + element * (size // len(element) + 1))[:size]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_normal_page_reads_as_it_did_in_process(name: str) -> None:
    # The same function runs in the child: what it returns comes back unchanged.
    from joboffers.pages import extract_page

    body = (FIXTURES / name).read_bytes()
    assert read_page(body, url=PAGES[name]) == extract_page(body, url=PAGES[name])


def test_a_hostile_page_is_stopped_by_the_timeout_with_a_clear_message() -> None:
    with pytest.raises(PageUnreadable) as caught:
        read_page(hostile_page(), url="https://x.example/", timeout=1.0)
    assert caught.value.code == "timeout"  # the child was killed, not left to finish
    assert user_message(caught.value) == TOO_COMPLEX


def test_a_page_over_the_cap_is_refused_before_any_parsing(monkeypatch) -> None:
    def never(*args, **kwargs):
        raise AssertionError("no child should start")

    monkeypatch.setattr(subprocess, "run", never)
    with pytest.raises(PageUnreadable) as caught:
        read_page(b"<p>x</p>" * (htmltext.MAX_HTML_BYTES // 8 + 1), url="https://x.example/")
    assert caught.value.code == "too_large"
    assert user_message(caught.value) == TOO_COMPLEX


@pytest.mark.django_db
def test_the_worker_goes_on_after_a_hostile_page(
    alice_client, alice, settings, httpserver, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    settings.FETCH_ALLOW_LOOPBACK = True
    default_timeout = htmltext.TIMEOUT_SECONDS
    httpserver.expect_request("/hostile").respond_with_data(
        hostile_page(), content_type="text/html"
    )
    httpserver.expect_request("/jobs/4711").respond_with_data(
        (FIXTURES / "plain_job.html").read_bytes(), content_type="text/html; charset=utf-8"
    )
    # The hostile page gets 1 s; the next, ordinary page the usual time, so that a loaded
    # machine starting the reader slowly cannot fail it.
    for path, timeout in (("/hostile", 1.0), ("/jobs/4711", default_timeout)):
        monkeypatch.setattr(htmltext, "TIMEOUT_SECONDS", timeout)
        url = httpserver.url_for(path).replace("localhost", "127.0.0.1")
        with django_capture_on_commit_callbacks(execute=True):
            alice_client.post(reverse("joboffers:index"), {"url": url})

    hostile, normal = BackgroundTask.objects.order_by("created_at")
    assert hostile.status == TaskStatus.FAILED
    assert hostile.error == TOO_COMPLEX
    assert normal.status == TaskStatus.COMPLETED
    offer = JobOffer.objects.get(user=alice, extracted_at__isnull=False)
    assert "4711" in offer.source_value and offer.content["title"]
