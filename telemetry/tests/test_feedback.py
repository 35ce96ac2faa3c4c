from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import timezone

from core.models import Setting
from cvs.models import CV
from telemetry.models import Feedback, FeedbackStatus, TelemetryEvent

pytestmark = pytest.mark.django_db
URL = "/feedback/"


def _post(client: Client, **fields) -> object:
    data = {"rating": "4", "comment": "Great tool", "page": "/cvs/", **fields}
    return client.post(URL, data, HTTP_USER_AGENT="Mozilla/5.0 Test")


def test_it_saves_the_feedback_and_returns_to_the_page(alice, alice_client):
    cv = CV.objects.create(user=alice, filename="cv.json", name="Master CV")

    response = _post(alice_client, cv=str(cv.pk), page="/cvs/?tab=all")

    assert response.status_code == 302
    assert response["Location"] == "/cvs/?tab=all"
    item = Feedback.objects.get()
    assert item.user == alice
    assert (item.rating, item.comment, item.is_bug_report) == (4, "Great tool", False)
    assert item.current_cv == cv
    assert item.page_url == "/cvs/?tab=all"
    assert item.user_agent == "Mozilla/5.0 Test"
    assert item.status == FeedbackStatus.NEW
    assert TelemetryEvent.objects.filter(user=alice, type="FEEDBACK_SENT").exists()


def test_it_answers_htmx_with_a_thank_you(alice_client):
    response = alice_client.post(URL, {"rating": "5", "comment": "Love it"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b"Thank you!" in response.content
    assert b'id="feedback-panel"' in response.content
    assert Feedback.objects.count() == 1


def test_it_strips_html_from_the_comment(alice_client):
    _post(alice_client, comment="<b>Nice</b> <script>alert(1)</script>work &amp; fast")

    assert Feedback.objects.get().comment == "Nice work & fast"


def test_it_accepts_500_characters(alice_client):
    _post(alice_client, comment="x" * 500)

    assert len(Feedback.objects.get().comment) == 500


def test_it_refuses_501_characters(alice_client):
    response = _post(alice_client, comment="x" * 501)

    assert response.status_code == 400
    assert b"under 500 characters" in response.content
    assert not Feedback.objects.exists()


def test_markup_does_not_count_towards_the_limit(alice_client):
    _post(alice_client, comment="<p>" + "y" * 500 + "</p>")

    assert Feedback.objects.get().comment == "y" * 500


def test_it_needs_a_rating_unless_it_is_a_bug_report(alice_client):
    refused = _post(alice_client, rating="")
    accepted = _post(alice_client, rating="", is_bug_report="1", comment="Export fails")

    assert refused.status_code == 400
    assert accepted.status_code == 302
    bug = Feedback.objects.get()
    assert (bug.rating, bug.is_bug_report) == (None, True)


def test_it_refuses_a_rating_out_of_range(alice_client):
    response = _post(alice_client, rating="6")

    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_it_shows_form_errors_to_htmx_in_the_panel(alice_client):
    response = alice_client.post(URL, {"rating": "3", "comment": ""}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b"feedback-field-error" in response.content
    assert not Feedback.objects.exists()


def test_it_refuses_the_eleventh_message_in_24_hours(alice, alice_client):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=25)):
        Feedback.objects.create(user=alice, rating=5, comment="Yesterday")
    for number in range(10):
        response = _post(alice_client, comment=f"Message {number}")
        assert response.status_code == 302

    response = _post(alice_client, comment="One too many")

    assert response.status_code == 429
    assert b"the most we accept" in response.content
    assert Feedback.objects.filter(user=alice).count() == 11


def test_the_daily_limit_is_a_setting(alice_client):
    Setting.objects.create(name="feedback_max_per_day", value="1", category="general")
    _post(alice_client)

    assert _post(alice_client).status_code == 429


def test_it_ignores_the_cv_of_another_user(bob, alice_client):
    bobs_cv = CV.objects.create(user=bob, filename="bob.json")

    _post(alice_client, cv=str(bobs_cv.pk))

    assert Feedback.objects.get().current_cv is None


def test_it_keeps_only_a_path_of_this_site(alice_client):
    response = _post(alice_client, page="https://evil.example/phish")

    assert response["Location"] == "/"
    assert Feedback.objects.get().page_url == ""


def test_it_refuses_a_protocol_relative_page(alice_client):
    _post(alice_client, page="//evil.example/phish")

    assert Feedback.objects.get().page_url == ""


def test_it_sends_anonymous_visitors_to_log_in(client):
    response = _post(client)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Feedback.objects.exists()


def test_it_rejects_get(alice_client):
    assert alice_client.get(URL).status_code == 405


def test_it_is_refused_while_the_feature_is_off(alice_client):
    Setting.objects.create(name="feature_feedback", value="0", category="features")

    assert _post(alice_client).status_code == 403
    assert not Feedback.objects.exists()


def test_every_page_offers_the_form_to_signed_in_users(alice_client, client):
    assert b'action="/feedback/"' in alice_client.get("/cvs/").content
    assert b'action="/feedback/"' not in client.get("/").content


def test_staff_mark_feedback_as_resolved(alice, staff, staff_client):
    first = Feedback.objects.create(user=alice, rating=2, comment="Slow")
    second = Feedback.objects.create(user=alice, rating=3, comment="Meh")
    untouched = Feedback.objects.create(user=alice, rating=5, comment="Great")

    response = staff_client.post(
        "/admin/dashboards/feedback/triage/",
        {"ids": [first.pk, second.pk], "status": "resolved", "next": "/admin/dashboards/feedback/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/dashboards/feedback/"
    assert set(Feedback.objects.filter(status="resolved")) == {first, second}
    assert Feedback.objects.get(pk=untouched.pk).status == "new"
    assert LogEntry.objects.filter(user=staff, object_id=str(first.pk)).exists()


def test_triage_needs_a_selection(alice, staff_client):
    Feedback.objects.create(user=alice, rating=2, comment="Slow")

    staff_client.post("/admin/dashboards/feedback/triage/", {"status": "resolved"})

    assert Feedback.objects.get().status == "new"


def test_triage_goes_back_to_the_dashboard_for_a_next_that_is_not_a_path(alice, staff_client):
    item = Feedback.objects.create(user=alice, rating=2, comment="Slow")

    response = staff_client.post(
        "/admin/dashboards/feedback/triage/",
        {"ids": [item.pk], "status": "resolved", "next": "0"},
    )

    assert response["Location"] == "/admin/dashboards/feedback/"


def test_triage_is_not_for_users(alice, alice_client):
    item = Feedback.objects.create(user=alice, rating=2, comment="Slow")

    response = alice_client.post(
        "/admin/dashboards/feedback/triage/", {"ids": [item.pk], "status": "resolved"}
    )

    assert response.status_code == 404
    assert Feedback.objects.get().status == "new"


def test_the_admin_marks_a_selection_reviewed(alice, staff_client):
    item = Feedback.objects.create(user=alice, rating=2, comment="Slow")

    response = staff_client.post(
        "/admin/telemetry/feedback/",
        {"action": "mark_reviewed", "_selected_action": [item.pk]},
    )

    assert response.status_code == 302
    assert Feedback.objects.get().status == "reviewed"
