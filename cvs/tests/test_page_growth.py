"""The editor and the CV list cost the same queries whatever a user keeps (issue #19, target 6),
and what their cached parts show follows the database: the layout, the side panel, the pages
of a long list."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import CreditBalance
from cvs import services
from cvs.models import CV, CVVersion, VersionChangeType
from cvs.views import LIST_PAGE_SIZE
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = pytest.mark.django_db

RICH_CV = json.loads((Path(__file__).parent / "fixtures" / "rich_cv.json").read_text())


@pytest.fixture
def cv(alice) -> CV:
    return services.create_cv(alice, content=copy.deepcopy(RICH_CV), name="Backend CV")


def _queries(client: Client, url: str) -> int:
    client.get(url)  # the caches filled, as for any page after the first
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def _add_cvs(user, count: int) -> None:
    CV.objects.bulk_create(
        CV(user=user, filename=f"cv-{n}.json", name=f"CV {n}", content=RICH_CV)
        for n in range(count)
    )


def _add_versions(cv: CV, count: int) -> None:
    CVVersion.objects.bulk_create(
        CVVersion(cv=cv, version=n, content=RICH_CV, change_type=VersionChangeType.OPTIMIZATION)
        for n in range(1, count + 1)
    )


class TestConstantQueries:
    def test_the_editor_costs_the_same_queries_with_many_versions_and_jobs(
        self, alice, alice_client, cv
    ):
        few = _queries(alice_client, cv.get_absolute_url())
        _add_versions(cv, 120)
        BackgroundTask.objects.bulk_create(
            BackgroundTask(user=alice, cv=cv, type=TaskType.CALCULATE_MATCH_SCORE, title="t",
                           status=TaskStatus.COMPLETED)
            for _ in range(30)
        )  # fmt: skip

        assert _queries(alice_client, cv.get_absolute_url()) == few

    def test_the_list_costs_the_same_queries_with_many_cvs(self, alice, alice_client, cv):
        few = _queries(alice_client, reverse("cvs:index"))
        _add_cvs(alice, 3 * LIST_PAGE_SIZE)

        assert _queries(alice_client, reverse("cvs:index")) == few
        assert _queries(alice_client, reverse("cvs:index") + "?page=3") == few
        assert _queries(alice_client, reverse("cvs:index") + "?q=CV+1&sort=name") == few


class TestLongList:
    def test_a_page_shows_its_share_and_links_to_the_next(self, alice, alice_client):
        _add_cvs(alice, LIST_PAGE_SIZE + 3)

        first = alice_client.get(reverse("cvs:index") + "?sort=name").content.decode()
        last = alice_client.get(reverse("cvs:index") + "?sort=name&page=2").content.decode()

        assert first.count('class="cell-title"') == LIST_PAGE_SIZE
        assert last.count('class="cell-title"') == 3
        assert "sort=name&amp;page=2" in first
        assert "Page 2 of 2" in last

    def test_a_page_past_the_end_shows_the_last_one(self, alice, alice_client):
        _add_cvs(alice, LIST_PAGE_SIZE + 3)

        page = alice_client.get(reverse("cvs:index") + "?page=99").content.decode()

        assert page.count('class="cell-title"') == 3

    def test_search_finds_a_cv_beyond_the_first_page(self, alice, alice_client):
        _add_cvs(alice, 2 * LIST_PAGE_SIZE)

        page = alice_client.get(reverse("cvs:index") + "?q=CV+7").content.decode()

        assert ">CV 7<" in page and ">CV 8<" not in page


class TestCachedParts:
    def test_the_top_bar_shows_the_current_balance_and_name(self, alice, alice_client, cv):
        alice_client.get(cv.get_absolute_url())
        CreditBalance.objects.update_or_create(user=alice, defaults={"balance": 42})
        alice.name = "Alice Renamed"
        alice.save()

        page = alice_client.get(cv.get_absolute_url()).content.decode()

        assert "42 credits" in page and "Alice Renamed" in page

    def test_the_side_panel_counts_a_new_version(self, alice_client, cv):
        before = alice_client.get(cv.get_absolute_url()).content.decode()
        _add_versions(cv, 3)

        after = alice_client.get(cv.get_absolute_url()).content.decode()

        assert '<span class="badge">0</span>' in before
        assert '<span class="badge">3</span>' in after

    def test_a_job_started_on_the_cv_is_told_and_polled(self, alice, alice_client, cv):
        alice_client.get(cv.get_absolute_url())
        BackgroundTask.objects.create(
            user=alice, cv=cv, type=TaskType.IMPROVE_CV, title="Improving the CV",
            status=TaskStatus.RUNNING,
        )  # fmt: skip

        page = alice_client.get(cv.get_absolute_url()).content.decode()

        assert "Improving the CV" in page and 'hx-trigger="every 1s"' in page

    def test_an_old_finished_job_is_not_told(self, alice, alice_client, cv):
        BackgroundTask.objects.create(
            user=alice, cv=cv, type=TaskType.CALCULATE_MATCH_SCORE, title="Scored long ago",
            status=TaskStatus.COMPLETED,
        )  # fmt: skip

        page = alice_client.get(cv.get_absolute_url()).content.decode()

        assert "Scored long ago" not in page
