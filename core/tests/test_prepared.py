from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from core.models import Setting, Submission
from core.prepared import MAX_SHAPES, PreparationError, PreparedQuery

pytestmark = pytest.mark.django_db


def submissions(shape: Any, user_id: int) -> QuerySet[Submission]:
    ordering = shape or "-pk"
    return (
        Submission.objects.filter(user=user_id)
        .select_related("user")
        .only("token", "created_at", "user__email")
        .annotate(label=Concat(F("token"), Value("@"), F("result_url")))
        .order_by(ordering)
    )


@pytest.fixture
def two_users(db: Any) -> tuple[Any, Any]:
    alice, bob = make_user("alice@example.org"), make_user("bob@example.org")
    for n in range(3):
        Submission.objects.create(user=alice, token=f"a{n}", result_url=f"/a/{n}")
    Submission.objects.create(user=bob, token="b0", result_url="/b/0")
    return alice, bob


def snapshot(rows: list[Submission]) -> list[tuple[Any, ...]]:
    return [
        (
            row.pk,
            row.token,
            row.created_at,
            row.label,  # type: ignore[attr-defined]  # the annotation
            row.user.email,
            row.get_deferred_fields(),
        )
        for row in rows
    ]


def test_rows_are_the_orms_own_with_annotations_deferred_fields_and_related_objects(
    two_users: tuple[Any, Any],
) -> None:
    alice, _ = two_users
    prepared = PreparedQuery(submissions)

    rows = prepared.fetch(user_id=alice.pk)

    assert snapshot(rows) == snapshot(list(submissions((), alice.pk)))
    assert [row.token for row in rows] == ["a2", "a1", "a0"]
    with CaptureQueriesContext(connection) as queries:
        assert rows[0].user.email == "alice@example.org"  # came with the row
    assert len(queries) == 0


def test_each_call_binds_its_own_arguments(two_users: tuple[Any, Any]) -> None:
    alice, bob = two_users
    prepared = PreparedQuery(submissions)

    assert {row.token for row in prepared.fetch(user_id=alice.pk)} == {"a0", "a1", "a2"}
    assert [row.token for row in prepared.fetch(user_id=bob.pk)] == ["b0"]
    assert prepared.fetch(user_id=bob.pk + 1000) == []


def test_the_queryset_is_built_once_per_shape(two_users: tuple[Any, Any]) -> None:
    alice, bob = two_users
    built: list[Any] = []

    def build(shape: Any, user_id: int) -> QuerySet[Submission]:
        built.append(shape)
        return submissions(shape, user_id)

    prepared = PreparedQuery(build)
    prepared.fetch(user_id=alice.pk)
    prepared.fetch(user_id=bob.pk)
    oldest_first = prepared.fetch("created_at", user_id=alice.pk)

    assert built == [(), "created_at"]
    assert [row.token for row in oldest_first] == ["a0", "a1", "a2"]
    with CaptureQueriesContext(connection) as queries:
        prepared.fetch(user_id=alice.pk)
    assert len(queries) == 1


def test_a_thread_keeps_a_bounded_number_of_shapes(two_users: tuple[Any, Any]) -> None:
    alice, _ = two_users
    prepared = PreparedQuery(lambda shape, user_id: submissions((), user_id)[shape : shape + 1])

    for offset in range(MAX_SHAPES + 10):
        prepared.fetch(offset, user_id=alice.pk)

    assert len(prepared._local.compiled) == MAX_SHAPES
    assert [row.token for row in prepared.fetch(1, user_id=alice.pk)] == ["a1"]


def test_an_id_past_64_bits_matches_nothing_without_a_query(two_users: tuple[Any, Any]) -> None:
    prepared = PreparedQuery(submissions)

    with CaptureQueriesContext(connection) as queries:
        assert prepared.fetch(user_id=2**63) == []
        assert prepared.fetch(user_id=-(2**63) - 1) == []
    assert len(queries) == 0


@pytest.mark.parametrize(
    ("build", "arguments", "message"),
    [
        (lambda shape, n: Setting.objects.extra(where=[f"id <> {n}"]), {"n": 5}, "into the SQL"),
        (lambda shape, n: Setting.objects.all(), {"n": 5}, "not used"),
        (lambda shape, n: Setting.objects.filter(pk=n), {"n": "5"}, "must be an int"),
        (
            lambda shape, n: Submission.objects.filter(pk=n).prefetch_related("user"),
            {"n": 5},
            "prefetch",
        ),
        (lambda shape, n: Setting.objects.filter(pk=n).values("name"), {"n": 5}, "model"),
        (
            lambda shape, n: (
                Submission.objects.filter(user=n).values("user").annotate(c=Count("pk"))
            ),
            {"n": 5},
            "model",
        ),
    ],
)
def test_what_cannot_be_prepared_is_refused_when_first_compiled(
    build: Any, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(PreparationError, match=message):
        PreparedQuery(build).fetch(**arguments)


def test_on_postgresql_a_query_run_often_is_prepared_on_its_connection(
    two_users: tuple[Any, Any],
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    alice, _ = two_users
    prepared = PreparedQuery(lambda shape, user_id: submissions(shape, user_id).filter(pk__gt=-7))

    for _ in range(6):
        assert len(prepared.fetch(user_id=alice.pk)) == 3

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('"fitmycv_submission"' in sql and "> $" in sql for sql in statements)
