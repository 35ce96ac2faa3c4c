from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail as django_mail
from django.utils import translation

from emails import mail
from emails.models import EmailLog, EmailStatus, EmailTemplate, EmailTrigger
from emails.tests.conftest import SITE_ROOT, html_of

pytestmark = pytest.mark.django_db

# name, how to send it to Alice, the subject, what the bodies must show
CASES = [
    (
        "email_verification",
        lambda u: mail.verify_email(u, f"{SITE_ROOT}/verify/K1/"),
        "Confirm your e-mail address - FitMyCV",
        ["Hello Alice Martin", f"{SITE_ROOT}/verify/K1/"],
    ),
    (
        "password_reset",
        lambda u: mail.password_reset(u, f"{SITE_ROOT}/reset/K2/"),
        "Reset your password - FitMyCV",
        ["Hello Alice Martin", f"{SITE_ROOT}/reset/K2/"],
    ),
    (
        "welcome",
        lambda u: mail.welcome(u),
        "Welcome to FitMyCV!",
        ["Hello Alice Martin", "15 free credits", f"{SITE_ROOT}/accounts/login/"],
    ),
    (
        "credits_purchased",
        lambda u: mail.credits_purchased(u, 50, Decimal("9.99"), "https://pay.test/inv/1"),
        "Your purchase of 50 credits - FitMyCV",
        ["50 credits", "€9.99", "https://pay.test/inv/1"],
    ),
    (
        "payment_failed",
        lambda u: mail.payment_failed(u),
        "Your payment did not go through - FitMyCV",
        ["Hello Alice Martin", f"{SITE_ROOT}/account/"],
    ),
    (
        "inactivity_warning",
        lambda u: mail.inactivity_warning(
            u, datetime(2023, 3, 3, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC)
        ),
        "Your FitMyCV account will be deleted on March 3, 2026",
        ["since March 3, 2023", "March 3, 2026", f"{SITE_ROOT}/accounts/login/"],
    ),
]


@pytest.mark.parametrize(("name", "send", "subject", "shown"), CASES, ids=[c[0] for c in CASES])
def test_each_e_mail_sends_its_template_with_its_variables(
    alice, committed, name, send, subject, shown
):
    with committed():
        log = send(alice)
        # Nothing leaves before the transaction commits.
        assert django_mail.outbox == []
        assert log.status == EmailStatus.QUEUED
    assert len(django_mail.outbox) == 1
    message = django_mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert message.subject == subject
    for text in shown:
        assert text in message.body
        assert text in html_of(message)
    assert "{{" not in message.body + html_of(message) + message.subject
    log.refresh_from_db()
    assert (log.template_name, log.status, log.subject) == (name, EmailStatus.SENT, subject)
    assert log.recipient_user == alice
    assert log.provider == "locmem"
    assert log.sent_at is not None


def test_the_e_mail_change_link_goes_to_the_new_address(alice, committed):
    with committed():
        mail.email_change(alice, f"{SITE_ROOT}/change/K3/", "alice.new@example.org")
    message = django_mail.outbox[0]
    assert message.to == ["alice.new@example.org"]
    assert message.subject == "Confirm your new e-mail address - FitMyCV"
    assert f"{SITE_ROOT}/change/K3/" in message.body
    assert "alice.new@example.org" in html_of(message)


def test_the_cost_alert_goes_to_each_staff_member(staff, committed):
    with committed():
        logs = mail.cost_alert(
            [staff, "ops@example.org"],
            "All users above $100 in a day",
            Decimal("100"),
            Decimal("123.456"),
            "today",
            "/admin/telemetry/",
        )
    assert [m.to for m in django_mail.outbox] == [["staff@example.org"], ["ops@example.org"]]
    message = django_mail.outbox[0]
    assert message.subject == "[FitMyCV] AI cost alert: All users above $100 in a day"
    assert "123.46 USD for today (threshold 100.00 USD)" in message.body
    assert f"{SITE_ROOT}/admin/telemetry/" in html_of(message)
    assert [log.recipient_user for log in logs] == [staff, None]


def test_a_variable_is_escaped_in_html_and_plain_in_text(alice, committed):
    alice.name = '<script>alert("x")</script> & Co'
    with committed():
        mail.verify_email(alice, f"{SITE_ROOT}/verify/?a=1&b=2")
    message = django_mail.outbox[0]
    html = html_of(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert f'href="{SITE_ROOT}/verify/?a=1&amp;b=2"' in html
    assert '<script>alert("x")</script> & Co' in message.body


def test_a_name_cannot_break_the_subject_line(alice, committed):
    EmailTemplate.objects.create(
        name="welcome", subject="Hi {{ user_name }}", html_content="<p>Hi</p>"
    )
    alice.name = "Alice\r\nBcc: victim@example.org"
    with committed():
        mail.welcome(alice)
    assert django_mail.outbox[0].subject == "Hi Alice Bcc: victim@example.org"


def test_dates_and_prices_follow_the_users_language(alice, committed):
    alice.language = "fr"
    with committed():
        mail.inactivity_warning(
            alice, datetime(2023, 3, 3, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC)
        )
        mail.credits_purchased(alice, 1500, Decimal("1234.5"), "https://pay.test/inv/2")
    warning, purchase = django_mail.outbox
    assert "3 mars 2023" in warning.body
    assert "3 mars 2026" in warning.subject
    assert "1\u00a0500 credits have been added to your account (1\u00a0234,50\u00a0€)" in (
        purchase.body
    )


def test_the_active_db_template_wins_over_the_file(alice, committed):
    trigger = EmailTrigger.objects.create(name="welcome", label="Welcome", category="account")
    template = EmailTemplate.objects.create(
        name="welcome-2026",
        trigger=trigger,
        subject="{{ user_name }}, your {{ welcome_credits }} credits",
        html_content='<p>Bonjour {{ user_name }}</p><p><a href="{{ login_url }}">Go</a></p>',
        text_content="",
    )
    with committed():
        log = mail.welcome(alice)
    message = django_mail.outbox[0]
    assert message.subject == "Alice Martin, your 15 credits"
    assert "<p>Bonjour Alice Martin</p>" in html_of(message)
    # No text body in the row: one is made from the HTML, links included.
    assert message.body == f"Bonjour Alice Martin\n\nGo ({SITE_ROOT}/accounts/login/)\n"
    assert log.template == template


def test_an_inactive_db_template_is_not_used(alice, committed):
    EmailTemplate.objects.create(
        name="welcome", subject="Old welcome", html_content="<p>old</p>", is_active=False
    )
    with committed():
        mail.welcome(alice)
    assert django_mail.outbox[0].subject == "Welcome to FitMyCV!"


BROKEN = [
    ("unknown variable", "Hello {{ password }}", "<p>{{ user_name }}</p>"),
    ("empty html", "Welcome", "  "),
    ("empty subject", "", "<p>Hi</p>"),
    ("template tag", "Welcome", "{% load static %}<p>Hi</p>"),
    ("attribute lookup", "Welcome", "<p>{{ user.password }}</p>"),
    ("filter", "Welcome", "<p>{{ user_name|safe }}</p>"),
    ("unclosed", "Welcome", "<p>{{ user_name </p>"),
]


@pytest.mark.parametrize(("case", "subject", "html"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_db_template_falls_back_to_the_file(alice, committed, caplog, case, subject, html):
    EmailTemplate.objects.create(name="welcome", subject=subject, html_content=html)
    with caplog.at_level(logging.WARNING, logger="emails.mail"), committed():
        log = mail.welcome(alice)
    assert django_mail.outbox[0].subject == "Welcome to FitMyCV!"
    assert "15 free credits" in django_mail.outbox[0].body
    assert log.template is None
    assert "does not render" in caplog.text


def test_check_variables_names_the_unknown_ones_and_the_choices():
    with pytest.raises(mail.EmailTemplateError) as error:
        mail.check_variables(
            "{{ user_name }} {{ pasword }} {{ coupon }}", ["user_name", "site_name"]
        )
    assert str(error.value) == (
        "Unknown variables {{ coupon }}, {{ pasword }}. Available: site_name, user_name."
    )


def test_every_file_triad_renders_with_the_variables_its_function_supplies():
    for name, names in mail.EMAIL_VARIABLES.items():
        rendered = mail.render_source(*mail.file_sources(name), mail.sample_variables(names))
        assert rendered.subject and rendered.text and rendered.html


class TestAllauthMessages:
    def test_the_signup_confirmation_uses_our_verification_template(self, alice, committed):
        context = {"user": alice, "activate_url": "http://testserver/accounts/confirm-email/K/"}
        with committed():
            mail.send_allauth_message(
                "account/email/email_confirmation_signup", "alice@example.org", context
            )
        message = django_mail.outbox[0]
        assert message.subject == "Confirm your e-mail address - FitMyCV"
        assert "http://testserver/accounts/confirm-email/K/" in message.body
        assert EmailLog.objects.get().template_name == "email_verification"

    def test_confirming_another_address_is_an_e_mail_change(self, alice, committed):
        context = {"user": alice, "activate_url": "http://testserver/accounts/confirm-email/K/"}
        with committed():
            mail.send_allauth_message(
                "account/email/email_confirmation", "alice.new@example.org", context
            )
        message = django_mail.outbox[0]
        assert message.to == ["alice.new@example.org"]
        assert message.subject == "Confirm your new e-mail address - FitMyCV"
        assert EmailLog.objects.get().template_name == "email_change"

    def test_a_resent_confirmation_of_the_own_address_is_a_verification(self, alice, committed):
        context = {"user": alice, "activate_url": "http://testserver/c/K/"}
        with committed():
            mail.send_allauth_message(
                "account/email/email_confirmation", "Alice@example.org", context
            )
        assert EmailLog.objects.get().template_name == "email_verification"

    def test_the_password_reset_key_uses_our_reset_template(self, alice, committed):
        context = {"user": alice, "password_reset_url": "http://testserver/reset/K/"}
        with committed():
            mail.send_allauth_message(
                "account/email/password_reset_key", "alice@example.org", context
            )
        message = django_mail.outbox[0]
        assert message.subject == "Reset your password - FitMyCV"
        assert "Hello Alice Martin" in message.body
        assert "http://testserver/reset/K/" in html_of(message)

    def test_other_messages_keep_allauths_templates_and_are_logged(self, alice, committed):
        context = {"user": alice, "ip": "192.0.2.1", "user_agent": "Firefox", "timestamp": "now"}
        with committed():
            mail.send_allauth_message(
                "account/email/password_changed", "alice@example.org", context
            )
        message = django_mail.outbox[0]
        assert message.subject == "[FitMyCV] Password Changed"
        assert "192.0.2.1" in message.body
        log = EmailLog.objects.get()
        assert log.template_name == "account/email/password_changed"
        assert (log.status, log.recipient_user) == (EmailStatus.SENT, alice)

    @pytest.mark.parametrize(
        ("language", "subject"),
        [("fr", "[FitMyCV] Mot de passe modifié"), ("", "[FitMyCV] Password Changed")],
        ids=["fr", "default"],
    )
    def test_they_are_in_the_recipients_language_not_the_requests(
        self, alice, committed, language, subject
    ):
        alice.language = language
        alice.save()
        # allauth's notices name the address only; the account is found from it.
        context = {"ip": "192.0.2.1", "user_agent": "Firefox", "timestamp": "now"}
        with translation.override("de"), committed():
            mail.send_allauth_message(
                "account/email/password_changed", "Alice@example.org", context
            )
        assert django_mail.outbox[0].subject == subject
        assert EmailLog.objects.get().recipient_user == alice

    def test_an_address_without_an_account_gets_the_default_language(self, committed):
        context = {"signup_url": "http://testserver/accounts/signup/"}
        with translation.override("de"), committed():
            mail.send_allauth_message("account/email/unknown_account", "eve@example.org", context)
        assert "Unknown Account" in django_mail.outbox[0].subject

    @pytest.mark.parametrize(
        "prefix", ["account/email/password_changed", "account/email/password_reset_key"]
    )
    def test_sending_leaves_the_active_language_as_it_was(self, alice, committed, prefix):
        alice.language = "fr"
        alice.save()
        context = {"user": alice, "password_reset_url": "http://testserver/reset/K/"}
        with translation.override("de"), committed():
            mail.send_allauth_message(prefix, "alice@example.org", context)
            assert translation.get_language() == "de"

    def test_a_code_confirmation_keeps_allauths_template(self, alice, committed):
        context = {"user": alice, "code": "XY12Z3"}
        with committed():
            mail.send_allauth_message(
                "account/email/email_confirmation_signup", "alice@example.org", context
            )
        assert "XY12Z3" in django_mail.outbox[0].body
        assert EmailLog.objects.get().template_name == "account/email/email_confirmation_signup"


def test_the_seeded_templates_use_the_variables_the_code_supplies(committed, alice):
    from staff.seed import EMAIL_TRIGGERS, seed_all

    assert {name: tuple(spec[2]) for name, spec in EMAIL_TRIGGERS.items()} == mail.EMAIL_VARIABLES
    seed_all()
    for template in EmailTemplate.objects.select_related("trigger"):
        names = mail.variable_names(template)
        assert mail.render_template(template, mail.sample_variables(names)).html
    with committed():
        log = mail.welcome(alice)
    assert log.template == EmailTemplate.objects.get(name="welcome")


PHISHING_NAME = "Your account is locked. Verify now at https://evil.example"


@pytest.mark.parametrize(
    "name",
    [
        PHISHING_NAME,
        "Verify now at evil.example",
        "support@evil.example",
        "Cliquez sur www.evil.example",
        "Ihr Konto ist gesperrt",
    ],
)
def test_a_name_like_a_link_or_an_instruction_is_not_echoed_to_an_unverified_address(
    committed, name
):
    from conftest import make_user

    user = make_user("victim@example.net", name=name, verified=False)
    with committed():
        mail.verify_email(user, f"{SITE_ROOT}/verify/K1/")
        mail.email_change(user, f"{SITE_ROOT}/change/K3/", "other@example.com")
    verification, change = django_mail.outbox
    for message, greeting in [(verification, "Hello victim,"), (change, "Hello other,")]:
        assert name not in message.body
        assert name not in html_of(message)
        assert "evil" not in message.body.replace(SITE_ROOT, "")
        assert greeting in message.body


def test_a_plain_name_is_still_echoed_to_an_unverified_address(committed):
    from conftest import make_user

    user = make_user("jo@example.net", name="Jean-Pierre O'Neil", verified=False)
    with committed():
        mail.verify_email(user, f"{SITE_ROOT}/verify/K1/")
    assert "Hello Jean-Pierre O'Neil," in django_mail.outbox[0].body


def test_a_verified_address_is_greeted_by_its_accounts_name(alice, committed):
    alice.name = "Alice (contact: alice.example)"
    with committed():
        mail.welcome(alice)
    assert "Hello Alice (contact: alice.example)," in django_mail.outbox[0].body


@pytest.mark.parametrize(
    "name", ["Alice Martin", "Jean-Pierre O'Neil", "María José", "Dr. Smith", "J. R. R. Tolkien"]
)
def test_ordinary_names_do_not_look_unsafe(name):
    assert not mail.name_looks_unsafe(name)
