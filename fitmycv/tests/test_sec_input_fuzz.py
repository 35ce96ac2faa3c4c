"""Arbitrary input on every form and object URL of ours: never a 500 (plan check I2).

Hypothesis posts hostile text (NUL bytes, control and RTL characters, emoji, megabyte strings)
to each POST view of the matrix in test_security_matrix.py, and odd ids to each URL with one.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvs.models import CV
from fitmycv.tests.test_security_matrix import LOGIN, POST, ROUTES, build_path, make_objects
from telemetry.models import Feedback

pytestmark = pytest.mark.django_db

# Every field name our forms read; each example fills all of them.
FIELDS = (
    "name", "full_name", "current_title", "email", "language", "description", "title",
    "company", "start_date", "end_date", "responsibilities", "skills", "level", "text", "url",
    "job_title", "target", "context", "skill_level", "suggestions", "offers", "base_cv",
    "code", "comment", "rating", "page", "cv", "preset_name", "template", "paper", "format",
    "sections", "direction", "action", "change", "next", "device_id", "token", "promo_code",
)  # fmt: skip
# Views that end the session or delete what the other examples need.
SKIPPED = {"account/delete/", "cvs/<int:pk>/delete/", "offers/<int:pk>/delete/"}
POST_ROUTES = sorted(
    route
    for route, spec in ROUTES.items()
    if spec.access == LOGIN and POST in spec.methods and route not in SKIPPED
    and not route.startswith("accounts/")
)  # fmt: skip
ID_ROUTES = sorted(route for route, spec in ROUTES.items() if spec.owner and route not in SKIPPED)
HOSTILE = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\u202eevil\u202c",
            "💥" * 300,
            "x" * 1_000_000,
            "-1",
            "99999999999999999999999",
            "<script>alert(1)</script>",
            "javascript:alert(1)",
            "../../etc/passwd",
        ]
    ),
)


@pytest.fixture
def objects(alice: Any, bob: Any) -> dict[str, Any]:
    return make_objects(alice, bob)


FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(route=st.sampled_from(POST_ROUTES), values=st.lists(HOSTILE, min_size=len(FIELDS)))
def test_hostile_form_input_never_breaks_a_view(alice_client, objects, route, values):
    data = dict(zip(FIELDS, values, strict=False))
    response = alice_client.post(build_path(route, ROUTES[route], objects), data)
    assert response.status_code < 500


@FUZZ
@given(
    route=st.sampled_from(ID_ROUTES),
    ids=st.dictionaries(
        st.sampled_from(["cv", "offer", "preset", "version"]),
        st.integers(min_value=0, max_value=2**80),
    ),
    method=st.sampled_from(["get", "post"]),
)
def test_odd_ids_are_a_404_never_an_error(bob_client, objects, route, ids, method):
    path = build_path(route, ROUTES[route], {**objects, **ids})
    assert getattr(bob_client, method)(path).status_code in (404, 405)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/cvs/{cv}/rename/", {"name": "Nul\x00name"}),
        ("/cvs/{cv}/edit/summary/", {"description": "Nul\x00summary"}),
        ("/cvs/new/", {"full_name": "A\x00B", "current_title": "Chef", "language": "en"}),
        ("/feedback/", {"rating": "5", "comment": "Nul\x00comment"}),
    ],
)
def test_a_nul_byte_is_a_form_error_and_nothing_is_saved(
    alice_client, objects, path: str, data: dict[str, Any]
):
    before = list(CV.objects.values())
    response = alice_client.post(path.format(**objects), data)
    assert response.status_code < 500
    assert list(CV.objects.values()) == before
    assert not Feedback.objects.exists()
