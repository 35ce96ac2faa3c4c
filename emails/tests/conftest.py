from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.mail import EmailMessage

from fitmycv.celery import app as celery_app

SITE_ROOT = "https://fitmycv.test"


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_NAME = "FitMyCV"
    settings.SITE_ROOT = SITE_ROOT


def html_of(message: EmailMessage) -> str:
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            return str(content)
    raise AssertionError("no HTML alternative")


# The layout every HTML e-mail shares (templates/emails/base.html): a whole document, and its
# footer line naming the site.
LAYOUT_FOOTER = f"FitMyCV · {SITE_ROOT}"


def in_layout(html: str, content: str) -> bool:
    """`html` is the shared layout holding `content`, each once."""
    return (
        html.startswith("<!doctype html>")
        and html.count("<!doctype html>") == 1
        and html.count(LAYOUT_FOOTER) == 1
        and html.count(content) == 1
    )


@pytest.fixture
def worker_errors() -> Iterator[None]:
    """Eager tasks keep their retries to themselves, as on a worker (no Retry raised to us)."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True
