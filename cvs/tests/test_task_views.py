from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = pytest.mark.django_db


def _task(user, status=TaskStatus.RUNNING, **fields) -> BackgroundTask:
    fields.setdefault("title", f"Job of {user.name}")
    return BackgroundTask.objects.create(user=user, type=TaskType.TEST, status=status, **fields)


def test_it_lists_the_users_tasks_running_first(alice_client, alice, bob):
    _task(alice, TaskStatus.COMPLETED, title="Old import")
    _task(alice, TaskStatus.RUNNING, title="Tailoring", progress=40, step="Skills")
    _task(bob, TaskStatus.RUNNING, title="Bob's secret job")
    response = alice_client.get(reverse("cvs:tasks"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Tailoring") < body.index("Old import")
    assert "Skills" in body
    assert "Bob&#x27;s secret job" not in body and "Bob's secret job" not in body


def test_it_polls_only_while_a_task_is_active(alice_client, alice):
    finished = _task(alice, TaskStatus.COMPLETED)
    response = alice_client.get(reverse("cvs:tasks"), HTTP_HX_REQUEST="true")
    assert "every 1s" not in response.content.decode()
    _task(alice, TaskStatus.QUEUED)
    response = alice_client.get(reverse("cvs:tasks"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "every 1s" in body
    assert "<html" not in body  # a fragment, not the page
    assert finished.title in body


def test_the_panel_shows_the_latest_tasks(alice_client, alice):
    _task(alice, TaskStatus.FAILED, error="The PDF has no text layer.")
    response = alice_client.get(reverse("cvs:task_panel"))
    assert response.status_code == 200
    assert "The PDF has no text layer." in response.content.decode()


def test_it_filters_by_device(alice_client, alice):
    _task(alice, title="From the laptop", device_id="laptop")
    _task(alice, title="From the phone", device_id="phone")
    body = alice_client.get(reverse("cvs:tasks"), {"device": "phone"}).content.decode()
    assert "From the phone" in body and "From the laptop" not in body


def test_cancel_stops_the_task(alice_client, alice):
    task = _task(alice, TaskStatus.QUEUED)
    response = alice_client.post(reverse("cvs:cancel_task", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED


def test_cancel_from_the_panel_returns_the_panel(alice_client, alice):
    task = _task(alice, TaskStatus.RUNNING)
    response = alice_client.post(
        reverse("cvs:cancel_task", args=[task.pk]), {"from": "panel"}, HTTP_HX_REQUEST="true"
    )
    assert 'id="task-panel"' in response.content.decode()


def test_cancel_checks_ownership(bob_client, alice):
    task = _task(alice, TaskStatus.QUEUED)
    response = bob_client.post(reverse("cvs:cancel_task", args=[task.pk]))
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.QUEUED


def test_cancel_rejects_get(alice_client, alice):
    task = _task(alice)
    assert alice_client.get(reverse("cvs:cancel_task", args=[task.pk])).status_code == 405


@pytest.mark.parametrize("name", ["cvs:tasks", "cvs:task_panel"])
def test_anonymous_visitors_are_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_task_list_query_count_does_not_grow(
    alice_client, alice, django_assert_max_num_queries
):
    for _ in range(3):
        _task(alice)
    with django_assert_max_num_queries(8) as few:
        alice_client.get(reverse("cvs:tasks"))
    for _ in range(20):
        _task(alice, TaskStatus.COMPLETED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        alice_client.get(reverse("cvs:tasks"))


def test_the_list_redraws_the_panel_from_the_same_reading(alice_client, alice):
    queued = _task(alice, TaskStatus.QUEUED, title="Tailoring")
    body = alice_client.get(reverse("cvs:tasks"), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="task-panel" hx-swap-oob="true"' in body
    BackgroundTask.objects.filter(pk=queued.pk).update(status=TaskStatus.COMPLETED)
    listed = alice_client.get(reverse("cvs:tasks"), HTTP_HX_REQUEST="true").content.decode()
    panel = alice_client.get(reverse("cvs:task_panel"), HTTP_HX_REQUEST="true").content.decode()
    for body in (listed, panel):
        assert "badge-completed" in body and "badge-queued" not in body
        assert "every 1s" not in body
    assert alice_client.get(reverse("cvs:task_panel"))["Cache-Control"].startswith("max-age=0")


class TestOneTask:
    def test_an_active_task_polls(self, alice_client, alice):
        task = _task(alice, TaskStatus.RUNNING, step="Reading the PDF")
        url = reverse("cvs:task", args=[task.pk])
        page = alice_client.get(url).content.decode()
        assert 'hx-trigger="every 1s"' in page and "Reading the PDF" in page
        fragment = alice_client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert "<html" not in fragment and 'hx-trigger="every 1s"' in fragment

    def test_a_task_that_made_a_cv_sends_the_user_to_it(self, alice_client, alice):
        task = _task(alice, TaskStatus.COMPLETED, result={"cv_id": 7})
        url = reverse("cvs:task", args=[task.pk])
        response = alice_client.get(url, HTTP_HX_REQUEST="true")
        assert response["HX-Redirect"] == reverse("cvs:detail", args=[7])
        assert alice_client.get(url)["Location"] == reverse("cvs:detail", args=[7])

    def test_a_failed_task_shows_its_reason_and_stops(self, alice_client, alice):
        task = _task(alice, TaskStatus.FAILED, error="The PDF has no text layer.")
        url = reverse("cvs:task", args=[task.pk])
        body = alice_client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert "The PDF has no text layer." in body and "every 1s" not in body

    def test_another_users_task_is_hidden(self, bob_client, alice):
        task = _task(alice, TaskStatus.RUNNING)
        assert bob_client.get(reverse("cvs:task", args=[task.pk])).status_code == 404


def test_the_panel_reads_only_the_rows_it_shows_and_never_a_payload(
    alice_client, alice, django_assert_max_num_queries
):
    from cvs.views import PANEL_LIMIT

    for n in range(PANEL_LIMIT + 3):
        _task(alice, TaskStatus.COMPLETED, title=f"Task {n}", payload={"text": "x" * 50_000})
    with django_assert_max_num_queries(8) as queries:
        body = alice_client.get(reverse("cvs:task_panel")).content.decode()
    table = BackgroundTask._meta.db_table
    task_sql = [q["sql"] for q in queries.captured_queries if table in q["sql"]]

    assert body.count('class="task task-completed"') == PANEL_LIMIT
    assert len(task_sql) == 1
    assert f"LIMIT {PANEL_LIMIT}" in task_sql[0]
    assert "payload" not in task_sql[0]


def test_a_task_row_shows_everything_without_another_query(
    alice_client, alice, django_assert_max_num_queries
):
    from cvs.models import CV

    cv = CV.objects.create(user=alice, filename="made.json", content={})
    _task(alice, TaskStatus.RUNNING, title="Tailoring", progress=40, step="Skills")
    _task(alice, TaskStatus.COMPLETED, success_message="Made it.", result={"cv_id": cv.pk})
    _task(alice, TaskStatus.FAILED, error="The PDF has no text layer.")
    with django_assert_max_num_queries(8) as one:
        alice_client.get(reverse("cvs:tasks"))
    for _ in range(5):
        _task(alice, TaskStatus.COMPLETED, success_message="Made it.", result={"cv_id": cv.pk})
        _task(alice, TaskStatus.RUNNING, step="Skills")
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = alice_client.get(reverse("cvs:tasks")).content.decode()

    assert "Skills" in body and 'value="40"' in body and "Made it." in body
    assert reverse("cvs:detail", args=[cv.pk]) in body and "no text layer" in body
