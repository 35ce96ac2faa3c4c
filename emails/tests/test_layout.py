from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template.base import VariableNode
from django.template.loader import get_template
from django.test.signals import template_rendered

from emails import mail
from emails.models import EmailTemplate
from emails.tests.conftest import in_layout

# Each e-mail's own words, which only its body file holds.
OWN_TEXT = {
    "email_verification": "Please confirm your e-mail address to start using FitMyCV.",
    "password_reset": "Someone (hopefully you) asked to reset your password.",
    "email_change": "as the new address of your FitMyCV account.",
    "welcome": "Start by importing your CV, then paste a job offer to get a tailored version.",
    "credits_purchased": "Thank you for your purchase",
    "payment_failed": "We could not take your last payment.",
    "inactivity_warning": "To keep it, simply log in.",
    "cost_alert": "Open the cost dashboard",
    "ai_provider_alert": "Open the AI costs dashboard",
}
NAMES = list(mail.EMAIL_VARIABLES)
HOSTILE = "<b>\"x\" & 'y'</b>"


@pytest.fixture
def rendered_templates() -> Iterator[list[str]]:
    names: list[str] = []

    def record(sender: Any, template: Any, **kwargs: Any) -> None:
        names.append(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def test_every_html_body_file_is_an_e_mail_of_ours():
    directory = Path(settings.BASE_DIR) / "templates" / "emails"
    bodies = {path.name.removesuffix("-body.html") for path in directory.glob("*-body.html")}
    assert bodies == set(NAMES) == set(OWN_TEXT)


@pytest.mark.parametrize("name", NAMES)
def test_each_html_e_mail_extends_the_layout(name, rendered_templates):
    rendered = mail.render_file(name, mail.sample_variables(mail.EMAIL_VARIABLES[name]))

    assert rendered_templates == [f"emails/{name}-body.html", mail.LAYOUT_TEMPLATE]
    assert in_layout(rendered.html, OWN_TEXT[name])


@pytest.mark.parametrize("name", NAMES)
def test_each_html_body_uses_only_the_variables_its_function_supplies(name):
    allowed = {*mail.EMAIL_VARIABLES[name], *mail.GLOBAL_VARIABLES}
    nodes = get_template(f"emails/{name}-body.html").template.nodelist
    used = {node.filter_expression.var.var for node in nodes.get_nodes_by_type(VariableNode)}
    assert used and used <= allowed


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("hostile", [False, True], ids=["sample", "hostile"])
def test_the_seeded_template_renders_like_the_file(name, hostile):
    names = mail.EMAIL_VARIABLES[name]
    variables = dict.fromkeys(names, HOSTILE) if hostile else mail.sample_variables(names)

    assert mail.render_source(*mail.file_sources(name), variables) == mail.render_file(
        name, variables
    )


@pytest.mark.django_db
def test_a_stored_content_is_sent_in_the_layout():
    template = EmailTemplate.objects.create(
        name="welcome", subject="Hi", html_content="<p>Hi {{ user_name }}</p>"
    )
    rendered = mail.render_template(template, {"user_name": HOSTILE})

    assert in_layout(
        rendered.html, "<p>Hi &lt;b&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/b&gt;</p>"
    )
    assert rendered.text == f"Hi {HOSTILE}\n"  # made from the content, not the layout


@pytest.mark.django_db
def test_a_stored_whole_document_is_sent_as_it_is():
    # Rows seeded before the layout had its own file hold the layout themselves.
    html = "<!DOCTYPE html>\n<html><body><p>Hi {{ user_name }}</p></body></html>"
    template = EmailTemplate.objects.create(name="welcome", subject="Hi", html_content=html)

    rendered = mail.render_template(template, {"user_name": "Alice"})

    assert rendered.html == "<!DOCTYPE html>\n<html><body><p>Hi Alice</p></body></html>"
