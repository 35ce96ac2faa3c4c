"""The editor's document and the CV list are served from a fragment cache: every request must
still see exactly what the database holds, in its own language, with its own CSRF token."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from core import fragments
from cvs import services
from cvs.models import CV

pytestmark = pytest.mark.django_db

RICH_CV = json.loads((Path(__file__).parent / "fixtures" / "rich_cv.json").read_text())


@pytest.fixture
def cv(alice) -> CV:
    return services.create_cv(alice, content=copy.deepcopy(RICH_CV), name="Backend CV")


def _strict_client(user) -> Client:
    """A browser of its own (own session, own CSRF cookie) that enforces CSRF like production."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _form_token(html: str, action: str) -> str:
    match = re.search(
        rf'action="{re.escape(action)}".*?name="csrfmiddlewaretoken" value="([^"]+)"', html, re.S
    )
    assert match, f"no form posting to {action}"
    return match.group(1)


class TestEditorDocument:
    def test_each_browser_gets_a_working_csrf_token_in_the_cached_document(self, alice, cv):
        first, second = _strict_client(alice), _strict_client(alice)
        action = reverse("cvs:move_item", args=[cv.pk, "experience", 0])
        first.get(cv.get_absolute_url())  # fills the cache
        page = second.get(cv.get_absolute_url()).content.decode()

        response = second.post(
            action, {"direction": "down", "csrfmiddlewaretoken": _form_token(page, action)}
        )

        assert response.status_code == 302
        cv.refresh_from_db()
        assert cv.content["experience"][1]["company"] == RICH_CV["experience"][0]["company"]

    def test_the_placeholder_never_reaches_a_page(self, alice_client, cv):
        for _ in range(2):
            page = alice_client.get(cv.get_absolute_url()).content.decode()
            assert "csrfmiddlewaretoken" in page
            assert str(fragments._placeholder) not in page

    def test_a_change_made_behind_the_editors_back_shows_at_once(self, alice_client, cv):
        alice_client.get(cv.get_absolute_url())
        content = copy.deepcopy(cv.content)
        content["summary"]["description"] = "Rewritten by a background task."
        # A queryset update: no save(), no updated_at; the document must still follow.
        CV.objects.filter(pk=cv.pk).update(content=content)

        page = alice_client.get(cv.get_absolute_url()).content.decode()

        assert "Rewritten by a background task." in page

    def test_blocking_a_cv_removes_its_edit_controls_at_once(self, alice_client, cv):
        action = reverse("cvs:remove_item", args=[cv.pk, "experience", 0])
        assert action in alice_client.get(cv.get_absolute_url()).content.decode()
        CV.objects.filter(pk=cv.pk).update(blocked=True, blocked_reason="Plan downgraded.")

        page = alice_client.get(cv.get_absolute_url()).content.decode()

        assert action not in page and "Plan downgraded." in page

    def test_it_follows_the_users_language(self, alice, alice_client, cv):
        assert 'title="Move up"' in alice_client.get(cv.get_absolute_url()).content.decode()
        alice.language = "fr"
        alice.save(update_fields=["language"])

        page = alice_client.get(cv.get_absolute_url()).content.decode()

        assert 'title="Monter"' in page and 'title="Move up"' not in page

    def test_a_version_is_not_served_the_current_document(self, alice_client, cv):
        services.save_version(cv, changelog="before", change_type="optimization")
        cv.content["summary"]["description"] = "The current summary."
        cv.save()
        alice_client.get(cv.get_absolute_url())

        page = alice_client.get(reverse("cvs:version", args=[cv.pk, 1])).content.decode()

        assert "The current summary." not in page
        assert RICH_CV["summary"]["description"][:20] in page

    def test_an_unreachable_cache_only_costs_a_render(self, alice_client, cv, monkeypatch):
        class Down:
            def get(self, *args, **kwargs):
                raise ConnectionError("cache is restarting")

            set = get

        monkeypatch.setattr(fragments, "cache", Down())

        response = alice_client.get(cv.get_absolute_url())

        assert response.status_code == 200
        assert RICH_CV["header"]["full_name"] in response.content.decode()


class TestList:
    def test_a_renamed_cv_shows_its_new_name(self, alice_client, cv):
        alice_client.get(reverse("cvs:index"))
        CV.objects.filter(pk=cv.pk).update(name="Renamed elsewhere")

        page = alice_client.get(reverse("cvs:index")).content.decode()

        assert "Renamed elsewhere" in page and "Backend CV" not in page

    def test_a_new_cv_appears(self, alice, alice_client, cv):
        alice_client.get(reverse("cvs:index"))
        services.create_cv(alice, content=copy.deepcopy(RICH_CV), name="Second CV")

        assert "Second CV" in alice_client.get(reverse("cvs:index")).content.decode()

    def test_users_never_see_each_others_rows(self, alice_client, bob, bob_client, cv):
        services.create_cv(bob, content=copy.deepcopy(RICH_CV), name="Bobs CV")
        alice_client.get(reverse("cvs:index"))

        page = bob_client.get(reverse("cvs:index")).content.decode()

        assert "Bobs CV" in page and "Backend CV" not in page

    def test_the_row_links_are_the_cv_urls(self, alice_client, cv):
        page = alice_client.get(reverse("cvs:index")).content.decode()

        for url in ("detail", "duplicate", "delete"):
            assert reverse(f"cvs:{url}", args=[cv.pk]) in page

    def test_duplicate_works_from_the_list_with_csrf_enforced(self, alice, cv):
        client = _strict_client(alice)
        _strict_client(alice).get(reverse("cvs:index"))  # another browser fills the cache
        page = client.get(reverse("cvs:index")).content.decode()
        token = re.search(
            r'id="duplicate-form".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S
        ).group(1)

        response = client.post(
            reverse("cvs:duplicate", args=[cv.pk]), {"csrfmiddlewaretoken": token}
        )

        assert response.status_code == 302
        assert CV.objects.filter(user=alice).count() == 2
