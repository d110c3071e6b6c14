"""Querysets compiled once per thread and run again with other parameter values.

Django compiles a queryset to SQL on every evaluation; for the queries every signed-in request
makes (the session, the member, the assessment, a step's answers) compiling costs several
times as much as running the SQL. `PreparedQuery` compiles its queryset the first time in a
thread, with marker values where the caller's values go, and afterwards only runs the SQL and
builds the model instances the way Django's own `ModelIterable` does (select_related objects
and annotations included).

A value may be a list (for an `__in` lookup): the query is compiled once per list length.
Only for querysets of model instances whose SQL depends on nothing else: the tests compare each
prepared query with its queryset. Values go to the database as given: unlike the ORM, nothing
turns an out-of-range number into "no row", so a caller passing a number from a URL checks its
range first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Marker values put where the caller's values go while compiling: numbers in range for every
# integer column (the ORM turns an out-of-range number into "no row" without SQL), unlikely
# as a literal of the query itself; text columns receive them as text.
MARKER_BASE = 2_107_410_281
SHAPES_KEPT = 32


def _shape(values: Sequence) -> tuple:
    return tuple(len(v) if isinstance(v, list | tuple) else None for v in values)


def _markers(shape: tuple) -> list:
    markers, n = [], 0
    for size in shape:
        if size is None:
            markers.append(MARKER_BASE + n)
            n += 1
        else:
            markers.append([MARKER_BASE + n + k for k in range(size)])
            n += size
    return markers


def _flat(values) -> list:
    flat = []
    for value in values:
        flat.extend(value if isinstance(value, list | tuple) else [value])
    return flat


class PreparedQuery:
    """`PreparedQuery(lambda a, b: Model.objects.filter(x=a, y__in=b))`, then `.all(1, [2, 3])`."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._local = threading.local()

    def _compiled(self, shape: tuple):
        kept = getattr(self._local, "compiled", None)
        if kept is None:
            kept = self._local.compiled = {}
        compiled = kept.get(shape)
        if compiled is None or compiled["connection"] is not connections[compiled["db"]]:
            markers = _markers(shape)
            queryset = self.build(*markers)
            db = queryset.db
            compiler = queryset.query.get_compiler(using=db)
            sql, params = compiler.as_sql()
            positions = [
                [i for i, p in enumerate(params) if p == m or p == str(m)] for m in _flat(markers)
            ]
            if not all(positions) or compiler.klass_info is None:
                raise ValueError("Every value must appear as a parameter of a model query.")
            klass_info, select = compiler.klass_info, compiler.select
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            compiled = {
                "db": db,
                "connection": connections[db],
                "compiler": compiler,
                "sql": sql,
                "params": list(params),
                "positions": positions,
                "model": klass_info["model"],
                "start": start,
                "end": end,
                "init_list": [f[0].target.attname for f in select[start:end]],
                "populators": get_related_populators(klass_info, select, db),
                "annotations": dict(compiler.annotation_col_map or {}),
                # The database's value converters, looked up once (Django does it per run).
                "converters": compiler.get_converters(
                    [column[0] for column in select[0 : compiler.col_count]]
                ),
            }
            if len(kept) >= SHAPES_KEPT:
                kept.clear()
            kept[shape] = compiled
        return compiled

    def all(self, *values) -> list:
        shape = _shape(values)
        if 0 in shape:  # an empty list: `__in` matches nothing
            return []
        c = self._compiled(shape)
        params = list(c["params"])
        for value, places in zip(_flat(values), c["positions"], strict=True):
            for place in places:
                params[place] = value
        with c["connection"].cursor() as cursor:
            cursor.execute(c["sql"], params)
            rows = cursor.fetchall()
        if c["converters"]:
            rows = c["compiler"].apply_converters(rows, c["converters"])
        objects = []
        for row in rows:
            obj = c["model"].from_db(c["db"], c["init_list"], row[c["start"] : c["end"]])
            for populator in c["populators"]:
                populator.populate(row, obj)
            for name, position in c["annotations"].items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def first(self, *values):
        found = self.all(*values)
        return found[0] if found else None
