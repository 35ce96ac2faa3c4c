from __future__ import annotations

import pytest
from django.core import mail as django_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from emails.models import EmailLog, EmailStatus, EmailTemplate, EmailTrigger
from emails.tests.conftest import in_layout

pytestmark = pytest.mark.django_db

PREVIEW_URL = "/admin/emails/emailtemplate/preview/"
STYLED_HTML = '<p style="color:#123">Hello {{ user_name }}, {{ welcome_credits }} credits.</p>'


@pytest.fixture
def trigger(db):
    return EmailTrigger.objects.create(
        name="welcome",
        label="Welcome",
        category="account",
        variables=["user_name", "login_url", "welcome_credits"],
    )


@pytest.fixture
def template(trigger):
    return EmailTemplate.objects.create(
        name="welcome",
        trigger=trigger,
        subject="Welcome {{ user_name }}",
        html_content=STYLED_HTML,
        text_content="Hello {{ user_name }}",
    )


def change_url(template: EmailTemplate) -> str:
    return f"/admin/emails/emailtemplate/{template.pk}/change/"


def form_data(template: EmailTemplate, **changes: str) -> dict[str, str]:
    data = {
        "name": template.name,
        "trigger": str(template.trigger_id),
        "subject": template.subject,
        "html_content": template.html_content,
        "text_content": template.text_content,
        "is_active": "on",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_the_editor_shows_the_preview_panel(staff_client, template):
    response = staff_client.get(change_url(template))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="email-preview"' in page
    assert f'src="{PREVIEW_URL}?id={template.pk}"' in page
    assert "/static/js/email-preview.js" in page
    assert "Welcome Alice Martin" in page  # the subject, with sample variables
    assert "{{ login_url }}" in page  # the variables the template may use


def test_the_editor_saves_a_valid_template(staff_client, template):
    data = form_data(template, subject="Hi {{ user_name }} from {{ site_name }}")
    response = staff_client.post(change_url(template), data)
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Hi {{ user_name }} from {{ site_name }}"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("subject", "Hi {{ first_name }}", "Unknown variable {{ first_name }}."),
        ("html_content", "<p>{{ user.password }}</p>", "is not a variable"),
        ("text_content", "{% include 'x' %}", "Template tags"),
    ],
)
def test_the_editor_refuses_what_cannot_be_rendered(staff_client, template, field, value, error):
    response = staff_client.post(change_url(template), form_data(template, **{field: value}))
    assert response.status_code == 200
    assert error in response.context["adminform"].form.errors[field][0]
    template.refresh_from_db()
    assert template.subject == "Welcome {{ user_name }}"
    assert template.text_content == "Hello {{ user_name }}"


def test_a_second_active_template_of_a_trigger_is_refused(staff_client, template, trigger):
    response = staff_client.post(
        "/admin/emails/emailtemplate/add/",
        form_data(template, name="welcome-b", subject="B {{ user_name }}"),
    )
    assert response.status_code == 200
    assert "Another template of this trigger is active" in response.content.decode()
    assert EmailTemplate.objects.count() == 1


def test_the_activate_action_switches_the_active_template(staff_client, template, trigger):
    other = EmailTemplate.objects.create(
        name="welcome-b", trigger=trigger, subject="B", html_content="<p>B</p>", is_active=False
    )
    response = staff_client.post(
        "/admin/emails/emailtemplate/",
        {"action": "activate", "_selected_action": [str(other.pk)]},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    other.refresh_from_db()
    assert (template.is_active, other.is_active) == (False, True)


def test_the_preview_renders_the_saved_html_under_a_strict_policy(staff_client, template):
    response = staff_client.get(f"{PREVIEW_URL}?id={template.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert in_layout(html, '<p style="color:#123">Hello Alice Martin, 15 credits.</p>')
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert "frame-ancestors 'self'" in policy
    assert "script-src" not in policy  # scripts fall under default-src 'none'
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_the_preview_renders_a_draft(staff_client, trigger):
    draft = {
        "name": "welcome",
        "trigger": str(trigger.pk),
        "subject": "Hey {{ user_name }}",
        "html_content": "<p>{{ user_name }} <b>{{ welcome_credits }}</b></p>",
        "text_content": "",
    }
    html = staff_client.post(PREVIEW_URL, {**draft, "part": "html"})
    assert in_layout(html.content.decode(), "<p>Alice Martin <b>15</b></p>")
    data = staff_client.post(PREVIEW_URL, {**draft, "part": "json"}).json()
    assert in_layout(data.pop("html"), "<p>Alice Martin <b>15</b></p>")
    assert data == {"subject": "Hey Alice Martin", "text": "Alice Martin 15\n", "error": ""}
    assert EmailTemplate.objects.count() == 0


def test_the_preview_reports_an_unknown_variable(staff_client, trigger):
    draft = {"trigger": str(trigger.pk), "subject": "Hi", "html_content": "<p>{{ coupon }}</p>"}
    data = staff_client.post(PREVIEW_URL, {**draft, "part": "json"}).json()
    assert data["error"].startswith("Unknown variable {{ coupon }}.")
    html = staff_client.post(PREVIEW_URL, {**draft, "part": "html"}).content.decode()
    assert "cannot be rendered: Unknown variable {{ coupon }}." in html


@pytest.mark.parametrize("who", ["alice_client", "client"])
def test_the_preview_is_for_staff_only(request, template, who):
    response = request.getfixturevalue(who).get(f"{PREVIEW_URL}?id={template.pk}")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_test_e_mail_goes_to_me_and_is_logged(staff_client, staff, template, committed):
    with committed():
        response = staff_client.post(f"/admin/emails/emailtemplate/{template.pk}/send-test/")
    assert response.status_code == 302
    assert response["Location"] == change_url(template)
    message = django_mail.outbox[0]
    assert (message.to, message.subject) == (["staff@example.org"], "Welcome Alice Martin")
    log = EmailLog.objects.get()
    assert log.is_test_email
    assert (log.template, log.recipient_user, log.status) == (template, staff, EmailStatus.SENT)


def test_the_test_send_refuses_get(staff_client, template):
    response = staff_client.get(f"/admin/emails/emailtemplate/{template.pk}/send-test/")
    assert response.status_code == 405
    assert not EmailLog.objects.exists()


def test_the_test_send_is_for_staff_only(alice_client, template):
    response = alice_client.post(f"/admin/emails/emailtemplate/{template.pk}/send-test/")
    assert response.status_code == 302
    assert not EmailLog.objects.exists()


def test_the_test_send_action_sends_an_inactive_template_as_saved(
    staff_client, template, committed
):
    template.is_active = False
    template.subject = "Draft {{ user_name }}"
    template.save()
    with committed():
        staff_client.post(
            "/admin/emails/emailtemplate/",
            {"action": "send_test_to_me", "_selected_action": [str(template.pk)]},
        )
    assert django_mail.outbox[0].subject == "Draft Alice Martin"
    assert EmailLog.objects.get().is_test_email


def test_a_broken_template_is_not_test_sent(staff_client, template):
    EmailTemplate.objects.filter(pk=template.pk).update(html_content="<p>{{ nope }}</p>")
    response = staff_client.post(
        f"/admin/emails/emailtemplate/{template.pk}/send-test/", follow=True
    )
    assert "cannot be sent: Unknown variable {{ nope }}." in response.content.decode()
    assert not EmailLog.objects.exists()


def _log(status: str, provider: str = "resend") -> EmailLog:
    return EmailLog.objects.create(
        template_name="welcome",
        recipient_email="a@example.org",
        subject="Welcome",
        status=status,
        provider=provider,
    )


def test_the_log_dashboard_counts_by_status_and_provider(staff_client):
    _log(EmailStatus.DELIVERED)
    _log(EmailStatus.BOUNCED)
    _log(EmailStatus.FAILED, provider="smtp")
    response = staff_client.get("/admin/emails/emaillog/?status__exact=bounced")
    assert response.status_code == 200
    counts = dict(response.context["status_counts"])
    assert [counts[label] for label in ("Delivered", "Bounced", "Failed", "Sent")] == [1, 1, 1, 0]
    assert response.context["provider_counts"] == [("resend", 2), ("smtp", 1)]
    assert response.context["cl"].result_count == 1


def test_the_log_dashboard_query_count_does_not_grow_with_the_logs(staff_client):
    _log(EmailStatus.SENT)
    staff_client.get("/admin/emails/emaillog/")  # warms the settings cache
    with CaptureQueriesContext(connection) as few:
        staff_client.get("/admin/emails/emaillog/")
    for _ in range(20):
        _log(EmailStatus.DELIVERED)
    with CaptureQueriesContext(connection) as many:
        staff_client.get("/admin/emails/emaillog/")
    assert len(many) == len(few)
