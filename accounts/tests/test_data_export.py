from __future__ import annotations

import json

import pytest

from accounts import services
from accounts.tests.factories import create_owned_rows
from billing.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(alice, bob):
    create_owned_rows(alice, "alice")
    create_owned_rows(bob, "bob")


def test_it_contains_alices_cvs_with_versions_and_everything_else(alice, both):
    data = services.export_user_data(alice)
    records = data["records"]
    assert data["profile"]["email"] == "alice@example.org"
    assert [cv["filename"] for cv in records["cvs.CV"]] == ["cv-alice.json"]
    assert [v["content"] for v in records["cvs.CVVersion"]] == [{"summary": "version of alice"}]
    assert [o["source_value"] for o in records["joboffers.JobOffer"]] == [
        "https://jobs.example/alice"
    ]
    for label in [
        "jobs.BackgroundTask",
        "billing.CreditBalance",
        "billing.CreditTransaction",
        "accounts.ConsentLog",
        "telemetry.Feedback",
        "telemetry.TelemetryEvent",
        "joboffers.LinkHistory",
        "emails.EmailLog",
    ]:
        assert len(records[label]) == 1, label
    assert data["email_addresses"] == [
        {"email": "alice@example.org", "verified": True, "primary": True}
    ]
    assert data["social_accounts"] == [{"provider": "github", "uid": "uid-alice"}]


def test_it_contains_nothing_of_another_user(alice, bob, both):
    dumped = json.dumps(services.export_user_data(alice))
    assert "bob" not in dumped.lower()
    assert "Durand" not in dumped


def test_it_never_exports_secrets(alice, both):
    data = services.export_user_data(alice)
    dumped = json.dumps(data)
    assert "password" not in data["profile"]
    assert "accounts.AutoSignInToken" not in data["records"]
    assert "token_hash" not in dumped
    assert all(
        set(a) == {"type", "created_at", "last_used_at"}
        for a in data["records"]["mfa.Authenticator"]
    )
    assert "secret" not in dumped


def test_keys_to_other_users_are_blanked(alice, bob):
    Referral.objects.create(referrer=alice, referred=bob)
    rows = services.export_user_data(alice)["records"]["billing.Referral"]
    assert rows == [
        {
            "id": rows[0]["id"],
            "referrer": alice.pk,
            "referred": None,
            "status": "pending",
            "rewarded_at": None,
            "created_at": rows[0]["created_at"],
        }
    ]


def test_it_is_served_as_a_json_download(alice_client, alice, both):
    response = alice_client.get("/account/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="fitmycv-data-')
    assert response["Content-Disposition"].endswith('.json"')
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == "fitmycv-export/1"
    assert data["records"]["cvs.CV"][0]["filename"] == "cv-alice.json"


def test_each_user_downloads_only_their_own_data(bob_client, both):
    data = json.loads(bob_client.get("/account/export/").content)
    assert data["profile"]["email"] == "bob@example.org"
    assert "alice" not in json.dumps(data).lower()


def test_it_requires_sign_in(client):
    response = client.get("/account/export/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_rejects_post(alice_client):
    assert alice_client.post("/account/export/").status_code == 405
