from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Sum

from billing.models import CreditBalance, CreditTransaction, Feature, TransactionType
from billing.services import PaymentRequired, charge_feature, record_transaction
from billing.tests.conftest import set_setting
from core.testing import require_service, run_in_threads

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_charges_with_one_credit_accept_exactly_one(alice):
    # SQLite's in-memory test database locks whole tables: concurrency is a PostgreSQL matter.
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    record_transaction(alice.pk, amount=1, type=TransactionType.GIFT, key="welcome")
    outcomes: list[str] = []
    keys = iter(range(THREADS))

    def press_generate() -> None:
        try:
            charge_feature(alice, Feature.MATCH_SCORE, key=f"score:{next(keys)}")
            outcomes.append("accepted")
        except PaymentRequired:
            outcomes.append("refused")

    run_in_threads(press_generate, THREADS)
    assert sorted(outcomes) == ["accepted"] + ["refused"] * (THREADS - 1)
    assert CreditBalance.objects.get(user=alice).balance == 0
    assert CreditTransaction.objects.filter(type=TransactionType.USAGE).count() == 1
    assert CreditTransaction.objects.aggregate(s=Sum("amount"))["s"] == 0


@pytest.mark.django_db(transaction=True)
def test_the_same_charge_sent_ten_times_at_once_is_taken_once(alice):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    record_transaction(alice.pk, amount=10, type=TransactionType.GIFT, key="welcome")
    charges = []

    def double_click() -> None:
        charges.append(charge_feature(alice, Feature.GPT_CV_GENERATION, key="gen:1"))

    run_in_threads(double_click, THREADS)
    assert len(charges) == THREADS and all(c.credits == 3 for c in charges)
    assert CreditBalance.objects.get(user=alice).balance == 7


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_paid_posts_ten_at_a_time_over_http_take_one_credit_once(alice, live_server):
    """The spend race through the whole stack: real HTTP to a threaded server, sessions, CSRF,
    the view and the ledger (the plan's `hey -n 50 -c 10`, with Python's HTTP client)."""
    import http.client
    import re
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlsplit

    from django.test import Client

    from cvs import services as cv_services
    from cvs.tests.test_double_submit import SAMPLE_CV
    from jobs.models import BackgroundTask

    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    # The offline translation is free by default: this race needs it to cost a credit.
    set_setting("credits_translate_offline", "1")
    record_transaction(alice.pk, amount=1, type=TransactionType.GIFT, key="welcome")
    cv = cv_services.create_cv(alice, content=SAMPLE_CV, name="Master")
    browser = Client()
    browser.force_login(alice)
    page = browser.get(cv.get_absolute_url())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in browser.cookies.items())
    host, port = urlsplit(live_server.url).hostname, urlsplit(live_server.url).port
    body = f"target=fr&csrfmiddlewaretoken={token}"
    headers = {
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": live_server.url + cv.get_absolute_url(),
    }

    def press_translate(_: int) -> str:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request("POST", f"/cvs/{cv.pk}/translate/", body, headers)
            response = conn.getresponse()
            response.read()
            return f"{response.status} {response.getheader('Location')}"
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(press_translate, range(50)))

    queued = [a for a in answers if a == f"302 {cv.get_absolute_url()}"]
    refused = [a for a in answers if a.startswith("302 /billing/")]
    assert len(queued) == 1 and len(refused) == 49, sorted(set(answers))
    assert BackgroundTask.objects.count() == 1
    assert CreditBalance.objects.get(user=alice).balance == 0
    assert CreditTransaction.objects.filter(type=TransactionType.USAGE).count() == 1
    assert CreditTransaction.objects.aggregate(s=Sum("amount"))["s"] == 0
