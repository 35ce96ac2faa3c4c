"""Staff manage accounts in the admin through the same services as the users' own paths."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User, default_onboarding_state
from billing.models import CreditBalance, CreditTransaction, TransactionType
from billing.services import grant_credits
from cvs import services as cv_services
from cvs.models import CV, CVVersion

pytestmark = pytest.mark.django_db

RICH_CV = json.loads(
    (Path(__file__).resolve().parents[2] / "cvs/tests/fixtures/rich_cv.json").read_text()
)


def _with_ledger(user: User) -> User:
    grant_credits(user, 5, type=TransactionType.ADMIN_GRANT, key=f"t:{user.pk}", reason="test")
    return user


class TestDeletingUsers:
    def test_staff_delete_a_user_with_a_ledger_through_the_erasure_service(
        self, staff_client, alice, bob
    ):
        _with_ledger(alice)
        _with_ledger(bob)
        url = reverse("admin:accounts_user_delete", args=[alice.pk])

        page = staff_client.get(url)
        response = staff_client.post(url, {"post": "yes"})

        assert page.status_code == 200
        assert response.status_code == 302
        assert not User.objects.filter(pk=alice.pk).exists()
        assert not CreditTransaction.objects.filter(user_id=alice.pk).exists()
        assert CreditTransaction.objects.filter(user=bob).count() == 1

    def test_the_bulk_delete_action_erases_each_user(self, staff_client, alice, bob):
        _with_ledger(alice)
        _with_ledger(bob)
        url = reverse("admin:accounts_user_changelist")
        data = {"action": "delete_selected", "_selected_action": [alice.pk, bob.pk]}

        confirm = staff_client.post(url, data)
        response = staff_client.post(url, {**data, "post": "yes"})

        assert confirm.status_code == 200
        assert response.status_code == 302
        assert not User.objects.filter(pk__in=[alice.pk, bob.pk]).exists()
        assert not CreditTransaction.objects.exists()


class TestCreatingUsers:
    def _add(self, client, email: str):
        return client.post(
            reverse("admin:accounts_user_add"),
            {
                "email": email,
                "name": "Carol",
                "role": "USER",
                "password1": "a-long-Passw0rd-for-carol",
                "password2": "a-long-Passw0rd-for-carol",
            },
        )

    def test_a_staff_created_user_is_verified_and_has_the_welcome_credits(self, staff_client):
        response = self._add(staff_client, "carol@example.org")

        assert response.status_code == 302
        carol = User.objects.get(email="carol@example.org")
        address = EmailAddress.objects.get(user=carol)
        assert (address.email, address.verified, address.primary) == (
            "carol@example.org",
            True,
            True,
        )
        assert CreditBalance.objects.get(user=carol).balance == 15
        assert CreditTransaction.objects.filter(user=carol, key=f"welcome:{carol.pk}").count() == 1

    def test_saving_the_user_again_grants_nothing_more(self, staff_client):
        self._add(staff_client, "carol@example.org")
        carol = User.objects.get(email="carol@example.org")
        change = staff_client.get(reverse("admin:accounts_user_change", args=[carol.pk]))
        form = change.context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
        data.update(email=carol.email, onboarding_state=json.dumps(carol.onboarding_state))

        staff_client.post(reverse("admin:accounts_user_change", args=[carol.pk]), data)

        assert CreditBalance.objects.get(user=carol).balance == 15
        assert CreditTransaction.objects.filter(user=carol).count() == 1


def test_an_admin_action_resets_the_onboarding(staff_client, alice, bob):
    for user in (alice, bob):
        user.onboarding_state = {**default_onboarding_state(), "is_completed": True}
        user.save()

    staff_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_onboarding_action", "_selected_action": [alice.pk]},
    )

    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.onboarding_state == default_onboarding_state()
    assert bob.onboarding_state["is_completed"] is True


class TestCvContentInTheAdmin:
    @pytest.fixture
    def cv(self, alice) -> CV:
        return cv_services.create_cv(alice, content=copy.deepcopy(RICH_CV), name="Backend CV")

    def _post(self, client, cv: CV, content) -> object:
        url = reverse("admin:cvs_cv_change", args=[cv.pk])
        data = {
            "user": cv.user_id,
            "filename": cv.filename,
            "name": cv.name,
            "content": json.dumps(content),
            "content_version": cv.content_version,
            "language": cv.language,
            "match_score_status": cv.match_score_status,
            "optimise_status": cv.optimise_status,
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        }
        return client.post(url, data)

    def test_content_that_is_not_a_cv_is_refused_and_the_cv_untouched(
        self, staff_client, alice_client, cv
    ):
        before = copy.deepcopy(cv.content)

        response = self._post(staff_client, cv, {"header": "nobody", "experience": 3})

        assert response.status_code == 200
        assert "This is not a valid CV:" in response.content.decode()
        cv.refresh_from_db()
        assert cv.content == before
        assert alice_client.get(reverse("cvs:export_json_resume", args=[cv.pk])).status_code == 200

    def test_a_valid_edit_is_saved_in_the_document_form(self, staff_client, cv):
        content = copy.deepcopy(cv.content)
        content["summary"]["description"] = "Edited by support"

        response = self._post(staff_client, cv, content)

        assert response.status_code == 302
        cv.refresh_from_db()
        assert cv.content["summary"]["description"] == "Edited by support"

    def test_a_version_content_is_checked_too(self, staff_client, cv):
        version = CVVersion.objects.create(cv=cv, version=1, content=copy.deepcopy(cv.content))
        url = reverse("admin:cvs_cvversion_change", args=[version.pk])

        response = staff_client.post(
            url,
            {"cv": cv.pk, "version": 1, "content": json.dumps([1, 2]), "change_type": ""},
        )

        assert response.status_code == 200
        assert "This is not a valid CV:" in response.content.decode()
        version.refresh_from_db()
        assert version.content == cv.content
