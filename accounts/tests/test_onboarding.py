from __future__ import annotations

import datetime as dt

import pytest

from accounts import onboarding
from accounts.models import default_onboarding_state

NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(minutes=3)


# Pure transitions ------------------------------------------------------------------------------


def test_a_new_state_is_active_on_the_first_step():
    state = onboarding.normalise(default_onboarding_state())
    assert onboarding.is_active(state)
    assert state["current_step"] == 0
    assert onboarding.panel(state)["current"]["key"] == "create_cv"


def test_next_marks_the_step_done_and_moves_on():
    state = onboarding.advance(default_onboarding_state(), NOW)
    assert state["completed_steps"] == ["create_cv"]
    assert state["current_step"] == 1
    assert state["timestamps"] == {
        "started_at": NOW.isoformat(),
        "last_step_change_at": NOW.isoformat(),
    }


def test_transitions_do_not_change_their_input():
    original = default_onboarding_state()
    onboarding.advance(original, NOW)
    assert original == default_onboarding_state()


def test_next_on_the_last_step_completes_the_tour():
    state = default_onboarding_state()
    for _ in onboarding.STEPS:
        state = onboarding.advance(state, NOW)
    assert state["has_completed"]
    assert state["completed_steps"] == onboarding.STEP_KEYS
    assert state["timestamps"]["completed_at"] == NOW.isoformat()
    assert not onboarding.is_active(state)


def test_a_step_done_for_real_jumps_to_the_first_open_step():
    state = onboarding.complete_step(default_onboarding_state(), "add_offer", NOW)
    assert state["completed_steps"] == ["add_offer"]
    assert state["current_step"] == 0  # creating the CV is still to do
    state = onboarding.complete_step(state, "create_cv", LATER)
    assert state["current_step"] == 2
    assert state["timestamps"]["started_at"] == NOW.isoformat()
    assert state["timestamps"]["last_step_change_at"] == LATER.isoformat()


def test_an_unknown_step_is_an_error():
    with pytest.raises(ValueError):
        onboarding.complete_step(default_onboarding_state(), "fly", NOW)


def test_skip_hides_the_tour():
    state = onboarding.skip(default_onboarding_state(), NOW)
    assert state["is_skipped"]
    assert state["timestamps"]["skipped_at"] == NOW.isoformat()
    assert not onboarding.is_active(state)


def test_replay_starts_again():
    state = onboarding.skip(onboarding.advance(default_onboarding_state(), NOW), NOW)
    state = onboarding.replay(state, LATER)
    assert onboarding.is_active(state)
    assert state["completed_steps"] == []
    assert state["current_step"] == 0
    assert state["timestamps"] == {
        "started_at": LATER.isoformat(),
        "last_step_change_at": LATER.isoformat(),
    }


def test_a_damaged_state_is_repaired():
    state = onboarding.normalise({"current_step": "x", "completed_steps": ["export_pdf", "??"]})
    assert state["current_step"] == 0
    assert state["completed_steps"] == ["export_pdf"]
    assert onboarding.normalise({"current_step": 99})["current_step"] == len(onboarding.STEPS) - 1
    assert onboarding.normalise(None) == default_onboarding_state()


def test_steps_whose_page_does_not_exist_yet_link_nowhere(db):
    urls = {step["key"]: step["url"] for step in onboarding.panel(None)["steps"]}
    assert urls["create_cv"] == "/cvs/"
    assert all(url.startswith("/") or url == "#" for url in urls.values())


# Views -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_panel_shows_on_pages_until_skipped(alice_client, alice):
    assert b'class="onboarding"' in alice_client.get("/cvs/").content
    response = alice_client.post("/account/onboarding/skip/", {"next": "/cvs/"})
    assert response.status_code == 302
    assert response["Location"] == "/cvs/"
    alice.refresh_from_db()
    assert alice.onboarding_state["is_skipped"]
    assert b'class="onboarding"' not in alice_client.get("/cvs/").content


@pytest.mark.django_db
def test_next_advances_the_saved_state(alice_client, alice):
    alice_client.post("/account/onboarding/next/", {"next": "/account/"})
    alice.refresh_from_db()
    assert alice.onboarding_state["completed_steps"] == ["create_cv"]
    assert alice.onboarding_state["current_step"] == 1


@pytest.mark.django_db
def test_complete_and_replay_from_the_account_page(alice_client, alice):
    alice_client.post("/account/onboarding/complete/")
    alice.refresh_from_db()
    assert alice.onboarding_state["has_completed"]
    assert b"You completed the tour" in alice_client.get("/account/").content
    response = alice_client.post("/account/onboarding/replay/")
    assert response["Location"] == "/cvs/"
    alice.refresh_from_db()
    assert onboarding.is_active(alice.onboarding_state)


@pytest.mark.django_db
def test_each_user_has_their_own_tour(alice_client, alice, bob):
    alice_client.post("/account/onboarding/skip/")
    bob.refresh_from_db()
    assert onboarding.is_active(bob.onboarding_state)


@pytest.mark.django_db
def test_record_step_is_ignored_once_the_tour_is_over(alice):
    onboarding.apply_transition(alice, onboarding.skip)
    onboarding.record_step(alice, "create_cv")
    alice.refresh_from_db()
    assert alice.onboarding_state["completed_steps"] == []


@pytest.mark.django_db
def test_it_refuses_an_open_redirect(alice_client):
    response = alice_client.post("/account/onboarding/next/", {"next": "//evil.example/"})
    assert response["Location"] == "/cvs/"


@pytest.mark.django_db
def test_an_unknown_action_is_404(alice_client):
    assert alice_client.post("/account/onboarding/explode/").status_code == 404


@pytest.mark.django_db
def test_it_requires_sign_in(client):
    response = client.post("/account/onboarding/next/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_it_rejects_get(alice_client):
    assert alice_client.get("/account/onboarding/next/").status_code == 405
