"""A paid form sent twice (double click, resent request, two at once) starts one task and takes
its credits once; the repeat is shown what the first one started (plan check C7)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from billing.models import CreditBalance, TransactionType
from billing.services import record_transaction
from core.config import get_setting
from core.models import Submission
from core.testing import run_in_threads
from cvs import services
from cvs.models import CV
from jobs.models import BackgroundTask

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CV = json.loads((ROOT / "ai/tests/fixtures/cvs/backend-engineer.cv.json").read_text())
# The offline engine's price (free by default), set to 1 so that a post without credits is
# refused.
TRANSLATION_COST = "credits_translate_offline"


def give_credits(user, amount: int, key: str = "gift") -> None:
    record_transaction(user.pk, amount=amount, type=TransactionType.GIFT, key=f"{key}:{user.pk}")


def balance(user) -> int:
    return CreditBalance.objects.get(user=user).balance


def form_token(html: str, action: str) -> str:
    match = re.search(
        rf'action="{re.escape(action)}".*?name="submission" value="([^"]+)"', html, re.S
    )
    assert match, f"no one-time token in the form posting to {action}"
    return match.group(1)


@pytest.fixture(autouse=True)
def paid_translation(db) -> None:
    from billing.tests.conftest import set_setting

    set_setting(TRANSLATION_COST, "1")


@pytest.fixture
def master(alice) -> CV:
    return services.create_cv(alice, content=copy.deepcopy(SAMPLE_CV), name="Master CV")


@pytest.fixture
def translate_url(master) -> str:
    return reverse("cvs:translate", args=[master.pk])


def plan_page(master) -> str:
    """The page of the translate form (the plan, then the paid button)."""
    return reverse("cvs:translate_plan", args=[master.pk])


@pytest.mark.django_db
class TestOnePagePost:
    def test_the_same_form_sent_twice_starts_one_task_and_charges_once(
        self, alice_client, alice, master, translate_url
    ):
        give_credits(alice, 10)
        page = alice_client.get(plan_page(master)).content.decode()
        data = {"target": "fr", "submission": form_token(page, translate_url)}

        first = alice_client.post(translate_url, data)
        second = alice_client.post(translate_url, data)

        assert BackgroundTask.objects.count() == 1
        assert balance(alice) == 10 - get_setting(TRANSLATION_COST)
        assert second.status_code == 302 and second["Location"] == first["Location"]
        assert second["HX-Trigger"] == "taskQueued"
        notes = [str(m) for m in get_messages(second.wsgi_request)]
        assert any("already sent" in note for note in notes)

    def test_two_page_loads_are_two_submissions(self, alice_client, alice, master, translate_url):
        give_credits(alice, 10)
        tokens = [
            form_token(alice_client.get(plan_page(master)).content.decode(), translate_url)
            for _ in range(2)
        ]
        assert tokens[0] != tokens[1]

        for token in tokens:
            alice_client.post(translate_url, {"target": "fr", "submission": token})

        assert BackgroundTask.objects.count() == 2
        assert balance(alice) == 10 - 2 * get_setting(TRANSLATION_COST)

    def test_a_refused_post_releases_its_token_so_the_page_can_be_sent_again(
        self, alice_client, alice, master, translate_url
    ):
        page = alice_client.get(plan_page(master)).content.decode()
        data = {"target": "fr", "submission": form_token(page, translate_url)}

        refused = alice_client.post(translate_url, data)  # no credits yet
        assert refused.status_code == 302 and not BackgroundTask.objects.exists()
        assert not Submission.objects.exists()
        give_credits(alice, 10)
        alice_client.post(translate_url, data)

        assert BackgroundTask.objects.count() == 1

    def test_an_invalid_form_releases_its_token(self, alice_client, alice, master, translate_url):
        give_credits(alice, 10)
        data = {"target": "xx", "submission": "one-page-token"}

        alice_client.post(translate_url, data)
        alice_client.post(translate_url, {**data, "target": "fr"})

        assert BackgroundTask.objects.count() == 1

    def test_tokens_are_per_user(self, alice_client, alice, bob, bob_client, master):
        give_credits(alice, 10)
        give_credits(bob, 10)
        bobs = services.create_cv(bob, content=copy.deepcopy(SAMPLE_CV), name="Bob CV")

        alice_client.post(
            reverse("cvs:translate", args=[master.pk]), {"target": "fr", "submission": "t"}
        )
        bob_client.post(
            reverse("cvs:translate", args=[bobs.pk]), {"target": "fr", "submission": "t"}
        )

        assert BackgroundTask.objects.filter(user=alice).count() == 1
        assert BackgroundTask.objects.filter(user=bob).count() == 1

    def test_every_paid_form_carries_a_fresh_token_even_from_the_page_cache(
        self, alice_client, alice, master, django_capture_on_commit_callbacks
    ):
        from joboffers.services import add_offer_from_text, start_extraction

        with django_capture_on_commit_callbacks(execute=True):  # the offer is read
            offer = add_offer_from_text(
                alice, (ROOT / "ai/tests/fixtures/jobs/backend-eng.txt").read_text()
            )
            start_extraction(offer)
        pages = {
            reverse("cvs:index"): [reverse("cvs:import_pdf"), reverse("cvs:from_job_title")],
            plan_page(master): [reverse("cvs:translate", args=[master.pk])],
            reverse("joboffers:detail", args=[offer.pk]): [
                reverse("offer_cvs:tailor", args=[offer.pk]),
                reverse("offer_cvs:example_cv", args=[offer.pk]),
            ],
        }
        for url, actions in pages.items():
            first = alice_client.get(url).content.decode()
            second = alice_client.get(url).content.decode()  # the list's forms: cached
            for action in actions:
                assert form_token(first, action) != form_token(second, action), action
        tailor_page = reverse("cvs:tailor", args=[master.pk])
        assert 'name="submission"' in alice_client.get(tailor_page).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_at_the_same_moment_starts_one_task(alice, master, translate_url):
    give_credits(alice, 10)
    clients = 4
    answers: list[str] = []
    signed_in = []
    for _ in range(clients):
        client = Client()
        client.force_login(alice)
        signed_in.append(client)
    browsers = iter(signed_in)

    def double_click() -> None:
        response = next(browsers).post(translate_url, {"target": "fr", "submission": "same-page"})
        answers.append(response["Location"])

    run_in_threads(double_click, clients)

    assert len(answers) == clients and len(set(answers)) == 1
    assert BackgroundTask.objects.count() == 1
    assert balance(alice) == 10 - get_setting(TRANSLATION_COST)
