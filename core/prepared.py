"""Querysets compiled to SQL once per process, for the queries every page view runs.

Django compiles a queryset to SQL each time it is evaluated. For the CV list's query (a page
of ids, the total and the balance in subqueries) and the editor's (the CV with its offer, the
number of versions and the live-jobs flag) compiling cost as much as PostgreSQL took to run
it, and then turning the rows into models cost as much again.

A `PreparedQuery` builds its queryset once per database, thread and shape, with stand-in
values for its arguments, and keeps the SQL, where each argument goes in the parameters, and
the compiler. After that a call only binds the arguments, runs the SQL and makes the model
instances as the ORM does: the same converters, deferred fields, `select_related` objects and
annotations. The queries are the ORM's own, so they follow the models and both databases.

The builder takes the shape (what changes the SQL text: an ordering, an offset) and its
arguments, which are ids (integers), and must depend on nothing else: a time or a setting read
inside it would be frozen into the SQL. It may not prefetch. An id past 64 bits matches no
row, as with the ORM: no query is run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # not in the stubs
    ModelIterable,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)

# Each argument is compiled as one of these, distinct and far from any real id: its
# positions in the compiled parameters are where the argument goes.
_STAND_IN_BASE = -1_987_654_321
# Shapes kept per thread and query; past it the oldest is compiled again when needed, so a
# visitor walking through page numbers cannot grow a process's memory.
MAX_SHAPES = 32
# Ids are 64-bit (BigAutoField): a larger number in a URL matches nothing.
ID_RANGE = range(-(2**63), 2**63)


class PreparationError(Exception):
    """The builder's queryset cannot be prepared (an argument inlined in the SQL, unused, or
    not an integer; a prefetch)."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    # Each parameter: (an argument's name, its stand-in), or (None, a constant of the query).
    params: tuple[tuple[str | None, Any], ...]
    compiler: SQLCompiler
    init_list: tuple[str, ...]
    fields: tuple[int, int]
    annotations: tuple[tuple[str, int], ...]

    def bind(self, args: Mapping[str, int]) -> list[Any]:
        return [args[name] if name is not None else value for name, value in self.params]


class PreparedQuery(Generic[M]):
    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self.build = build
        self._local = threading.local()

    def fetch(self, shape: Hashable = (), *, using: str = DEFAULT_DB_ALIAS, **args: int) -> list[M]:
        for name, value in args.items():
            if type(value) is not int:
                raise PreparationError(f"{name} must be an int, not {type(value).__name__}")
            if value not in ID_RANGE:
                return []
        compiled = self._compiled(using, shape, tuple(sorted(args)))
        with _binding_cursor(connections[using]) as cursor:
            cursor.execute(compiled.sql, compiled.bind(args))
            rows = cursor.fetchall()
        return self._models(compiled, rows, using)

    def _compiled(self, using: str, shape: Hashable, names: tuple[str, ...]) -> _Compiled:
        cache: dict[Hashable, _Compiled] = self._local.__dict__.setdefault("compiled", {})
        key = (using, shape, names)
        compiled = cache.get(key)
        if compiled is None:
            compiled = self._compile(using, shape, names)
            if len(cache) >= MAX_SHAPES:
                del cache[next(iter(cache))]
            cache[key] = compiled
        return compiled

    def _compile(self, using: str, shape: Hashable, names: tuple[str, ...]) -> _Compiled:
        stand_ins = {name: _STAND_IN_BASE - number for number, name in enumerate(names)}
        queryset = self.build(shape, **stand_ins)
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]  # not in the stubs
            raise PreparationError("a prepared query cannot prefetch")
        if queryset._iterable_class is not ModelIterable:
            raise PreparationError("a prepared query returns model instances, not values")
        compiler = queryset.query.get_compiler(using=using)
        sql, raw_params = compiler.as_sql()
        by_value = {value: name for name, value in stand_ins.items()}
        params = tuple(
            (by_value.get(value) if type(value) is int else None, value) for value in raw_params
        )
        for name, value in stand_ins.items():
            if str(abs(value)) in sql:
                raise PreparationError(f"{name} is written into the SQL, not passed")
            if (name, value) not in params:
                raise PreparationError(f"{name} is not used by the query")
        # as_sql() filled in what the rows hold, as it does for ModelIterable.
        select_fields = compiler.klass_info["select_fields"]
        first, last = select_fields[0], select_fields[-1] + 1
        return _Compiled(
            sql=sql,
            params=params,
            compiler=compiler,
            init_list=tuple(column[0].target.attname for column in compiler.select[first:last]),
            fields=(first, last),
            annotations=tuple((compiler.annotation_col_map or {}).items()),
        )

    def _models(self, compiled: _Compiled, rows: list[Sequence[Any]], using: str) -> list[M]:
        compiler = compiled.compiler
        model: type[M] = compiler.klass_info["model"]
        populators = get_related_populators(compiler.klass_info, compiler.select, using)
        first, last = compiled.fields
        found = []
        for row in compiler.results_iter([rows]):
            obj = model.from_db(using, compiled.init_list, row[first:last])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def _binding_cursor(connection: Any) -> Any:
    """A cursor of the connection that, on PostgreSQL, sends the parameters apart from the SQL
    (server-side binding): psycopg then prepares a statement the connection has run a few times
    (its `prepare_threshold`: 5 in our settings, None by Django's default), and PostgreSQL
    stops planning it again on every view, which cost these queries more than running them.
    Django binds client-side, which cannot prepare; the ORM's other queries keep doing so."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]  # psycopg 3 only
        ServerBindingCursor,
    )

    connection.ensure_connection()
    raw = connection.connection
    client_binding = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        return connection.cursor()  # Django's wrapper: logged, timezone set, as any cursor
    finally:
        raw.cursor_factory = client_binding
