"""The bookmarklet's tokens: made on the account page and shown once inside the bookmarklet,
stored as a keyed hash, listed with their last use, revoked by their owner or by staff, erased
with the account."""

from __future__ import annotations

import contextlib
import json
import re
from html import unescape
from urllib.parse import unquote

import pytest
from django.urls import reverse

from accounts import services
from accounts.bookmarklet import BOOKMARKLET_MAX_CHARS, bookmarklet_href
from accounts.models import BookmarkletToken, hash_bookmarklet_token
from core.testing import run_in_threads
from joboffers.services import MAX_TEXT_CHARS

pytestmark = pytest.mark.django_db

ACCOUNT = "/account/"
CREATE = "/account/bookmarklets/"
HREF = re.compile(r'id="bookmarklet-link" href="([^"]+)"')


def _revoke_url(token: BookmarkletToken) -> str:
    return reverse("accounts:revoke_bookmarklet", args=[token.pk])


def _raw_token_in(href: str) -> str:
    found = re.search(r'token:"(fmcv_[\w-]+)"', unquote(unescape(href)))
    assert found, href
    return found.group(1)


def test_it_makes_a_bookmarklet_and_shows_it_once(alice_client, alice):
    response = alice_client.post(CREATE, {"name": "  Firefox   at work "})

    assert response.status_code == 302
    assert response["Location"] == "/account/#bookmarklet"
    token = BookmarkletToken.objects.get(user=alice)
    assert token.name == "Firefox at work"
    page = alice_client.get(ACCOUNT).content.decode()
    href = unescape(HREF.search(page).group(1))
    assert href.startswith("javascript:")
    raw = _raw_token_in(href)
    assert services.authenticate_bookmarklet(raw) == alice
    # It posts to our endpoint, at the address the user reached us by.
    assert '"http://testserver/offers/send/"' in unquote(href)
    # The next visit lists it, but its token is gone for good.
    again = alice_client.get(ACCOUNT).content.decode()
    assert "bookmarklet-link" not in again and raw not in again
    assert "<dt>Firefox at work</dt>" in again and token.prefix in again


def test_only_a_keyed_hash_and_a_prefix_are_stored(alice):
    token, raw = services.create_bookmarklet_token(alice, name="Laptop")

    stored = BookmarkletToken.objects.filter(pk=token.pk).values().get()
    assert raw not in json.dumps(stored, default=str)
    assert stored["token_hash"] == hash_bookmarklet_token(raw)
    assert raw.startswith(stored["prefix"]) and len(stored["prefix"]) < 16
    assert len(raw) > 40  # 32 random bytes after the prefix


def test_two_tokens_are_never_the_same(alice):
    _first, one = services.create_bookmarklet_token(alice, name="One")
    _second, two = services.create_bookmarklet_token(alice, name="Two")
    assert one != two


def test_a_blank_name_gets_a_default(alice_client, alice):
    alice_client.post(CREATE, {"name": "   "})
    assert BookmarkletToken.objects.get(user=alice).name == "My browser"


def test_a_name_too_long_is_refused_and_nothing_made(alice_client, alice):
    response = alice_client.post(CREATE, {"name": "x" * 61})
    assert response.status_code == 400
    assert "at most 60 characters" in response.content.decode()
    assert not BookmarkletToken.objects.exists()


def test_past_the_most_bookmarklets_none_is_made_and_the_page_says_why(alice_client, alice):
    for n in range(services.MAX_ACTIVE_BOOKMARKLETS):
        services.create_bookmarklet_token(alice, name=f"Browser {n}")

    response = alice_client.post(CREATE, {"name": "One more"})

    assert response.status_code == 400
    assert "the most an account may have" in response.content.decode()
    assert BookmarkletToken.objects.count() == services.MAX_ACTIVE_BOOKMARKLETS


@pytest.mark.django_db(transaction=True)
def test_two_tabs_cannot_both_take_the_last_place(alice):
    for n in range(services.MAX_ACTIVE_BOOKMARKLETS - 1):
        services.create_bookmarklet_token(alice, name=f"Browser {n}")

    def make() -> None:
        with contextlib.suppress(services.TooManyBookmarklets):
            services.create_bookmarklet_token(alice, name="Racing tab")

    run_in_threads(make, 3)

    assert BookmarkletToken.objects.count() == services.MAX_ACTIVE_BOOKMARKLETS
    assert BookmarkletToken.objects.filter(name="Racing tab").count() == 1


def test_a_revoked_bookmarklet_leaves_room_for_a_new_one(alice_client, alice):
    tokens = [
        services.create_bookmarklet_token(alice, name=f"Browser {n}")[0]
        for n in range(services.MAX_ACTIVE_BOOKMARKLETS)
    ]
    services.revoke_bookmarklet_token(tokens[0])
    assert alice_client.post(CREATE, {"name": "New"}).status_code == 302


def test_revoking_stops_the_token_at_once(alice_client, alice):
    token, raw = services.create_bookmarklet_token(alice, name="Laptop")

    response = alice_client.post(_revoke_url(token))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(services.BookmarkletRefused) as refused:
        services.authenticate_bookmarklet(raw)
    assert refused.value.reason == "revoked"
    # Gone from the list, its row kept so the bookmarklet can be told it was revoked.
    page = alice_client.get(ACCOUNT).content.decode()
    assert "no longer works" in page and "<dt>Laptop</dt>" not in page


def test_revoking_twice_is_a_404_and_keeps_the_first_date(alice_client, alice):
    token, _raw = services.create_bookmarklet_token(alice, name="Laptop")
    alice_client.post(_revoke_url(token))
    token.refresh_from_db()
    first = token.revoked_at

    assert alice_client.post(_revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at == first


def test_another_users_bookmarklet_cannot_be_revoked(bob_client, alice):
    token, raw = services.create_bookmarklet_token(alice, name="Laptop")

    assert bob_client.post(_revoke_url(token)).status_code == 404
    assert services.authenticate_bookmarklet(raw) == alice


def test_another_users_bookmarklets_are_not_listed(bob_client, alice):
    services.create_bookmarklet_token(alice, name="Alice laptop")
    assert "Alice laptop" not in bob_client.get(ACCOUNT).content.decode()


def test_a_tampered_token_is_refused(alice):
    _token, raw = services.create_bookmarklet_token(alice, name="Laptop")
    last = "A" if raw[-1] != "A" else "B"

    for tampered in (raw[:-1] + last, raw + "x", raw[:-1], raw.upper(), "", "fmcv_", "x" * 500):
        with pytest.raises(services.BookmarkletRefused) as refused:
            services.authenticate_bookmarklet(tampered)
        assert refused.value.reason == "invalid"


def test_a_token_signed_with_another_key_is_refused(alice, settings):
    # A token from another installation (or a guess at the hash scheme) matches nothing here.
    settings.SECRET_KEY = "another-installation-" + "k" * 40
    _token, raw = services.create_bookmarklet_token(alice, name="Elsewhere")
    settings.SECRET_KEY = "this-installation-" + "s" * 40

    with pytest.raises(services.BookmarkletRefused) as refused:
        services.authenticate_bookmarklet(raw)
    assert refused.value.reason == "invalid"


def test_a_deactivated_users_token_is_refused(alice):
    _token, raw = services.create_bookmarklet_token(alice, name="Laptop")
    alice.is_active = False
    alice.save()

    with pytest.raises(services.BookmarkletRefused):
        services.authenticate_bookmarklet(raw)


def test_a_use_is_recorded_and_shown(alice_client, alice):
    token, raw = services.create_bookmarklet_token(alice, name="Laptop")
    assert "never used" in alice_client.get(ACCOUNT).content.decode()

    services.authenticate_bookmarklet(raw)

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert "last used on" in alice_client.get(ACCOUNT).content.decode()


def test_bookmarklets_are_erased_with_the_account(alice, bob):
    services.create_bookmarklet_token(alice, name="Alice laptop")
    services.create_bookmarklet_token(bob, name="Bob laptop")

    services.delete_account(alice)

    assert list(BookmarkletToken.objects.values_list("name", flat=True)) == ["Bob laptop"]


def test_the_export_lists_bookmarklets_without_their_hash(alice):
    token, raw = services.create_bookmarklet_token(alice, name="Laptop")

    data = services.export_user_data(alice)

    rows = data["records"]["accounts.BookmarkletToken"]
    assert rows == [
        {
            "name": "Laptop",
            "prefix": token.prefix,
            "created_at": token.created_at.isoformat(),
            "last_used_at": None,
            "revoked_at": None,
        }
    ]
    assert token.token_hash not in json.dumps(data) and raw not in json.dumps(data)


def test_the_bookmarklet_cuts_texts_where_the_offer_reader_does():
    assert BOOKMARKLET_MAX_CHARS == MAX_TEXT_CHARS


def test_the_link_is_percent_encoded_and_carries_the_token_as_a_string():
    href = bookmarklet_href("fmcv_abc-_1", action="https://fitmycv.example/offers/send/")
    assert href.startswith("javascript:(function(){")
    assert " " not in href and '"' not in href and "<" not in href
    script = unquote(href.removeprefix("javascript:"))
    assert 'token:"fmcv_abc-_1"' in script
    assert 'f.action="https://fitmycv.example/offers/send/"' in script
    assert "f.target='_blank'" in script and "f.method='post'" in script


@pytest.mark.parametrize("url", [CREATE, "/account/bookmarklets/1/revoke/"])
def test_it_requires_sign_in(client, url):
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [CREATE, "/account/bookmarklets/1/revoke/"])
def test_it_rejects_get(alice_client, url):
    assert alice_client.get(url).status_code == 405


# The admin --------------------------------------------------------------------------------------


def test_staff_see_bookmarklets_read_only_without_their_hash(staff_client, alice):
    token, _raw = services.create_bookmarklet_token(alice, name="Laptop")

    listing = staff_client.get(reverse("admin:accounts_bookmarklettoken_changelist"))
    detail = staff_client.get(reverse("admin:accounts_bookmarklettoken_change", args=[token.pk]))

    assert listing.status_code == 200 and "Laptop" in listing.content.decode()
    assert detail.status_code == 200
    assert token.token_hash not in detail.content.decode()
    assert 'name="name"' not in detail.content.decode()  # nothing to edit
    add = staff_client.get(reverse("admin:accounts_bookmarklettoken_add"))
    assert add.status_code == 403


def test_staff_can_revoke_bookmarklets(staff_client, alice):
    token, raw = services.create_bookmarklet_token(alice, name="Laptop")

    response = staff_client.post(
        reverse("admin:accounts_bookmarklettoken_changelist"),
        {"action": "revoke_action", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    with pytest.raises(services.BookmarkletRefused):
        services.authenticate_bookmarklet(raw)
