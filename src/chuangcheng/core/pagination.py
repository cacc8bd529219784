from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

import orjson
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import F, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.pagination import paginate as ninja_paginate

PER_PAGE = 50

View = TypeVar("View", bound=Callable[..., Any])

# Far beyond any real list, far below what a database integer holds: an offset past it is refused
# (422) instead of overflowing the query (500).
MAX_OFFSET = 1_000_000_000


def paginate(request: HttpRequest, items: Any, per_page: int = PER_PAGE) -> Page:
    """The requested page; a page number that is not a number or out of range gives the
    nearest real page instead of an error."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


class LimitOffset(LimitOffsetPagination):
    """The API's list pages: `limit` from 1 to API_MAX_LIMIT (default 100), `offset` from 0; a value
    outside is a 422 in the API's error format, never a 500 or a whole table in one answer."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=settings.API_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=settings.API_MAX_LIMIT, **kwargs)


def paginate_rows(rows: Callable[[QuerySet[Any]], list[dict[str, Any]]]) -> Callable[[View], View]:
    """`@paginate(LimitOffset)` for a long list read often, without a schema's validation per row.

    The operation keeps its declared `response=list[…Out]`, its `limit`/`offset` parameters and their
    422s, and its OpenAPI document: only the answer is built differently. The view returns its
    queryset as before; `rows` turns the page's slice into the items, exactly as the schema would
    have rendered them (typically one `values()` query of the columns shown), and they are encoded
    once by orjson. Through the schema, each of 50 cases took a resolver call per field and a model
    instance per joined row: about 25 ms of a 30 ms answer (issue 19)."""

    def decorate(view: View) -> View:
        paged = ninja_paginate(LimitOffset)(view)  # declares the parameters and the paged response

        @wraps(paged)
        def answer(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            page = kwargs.pop("ninja_pagination", None) or LimitOffset.Input()  # type: ignore[call-arg]
            queryset = view(request, **kwargs)
            limit = min(page.limit, settings.API_MAX_LIMIT)
            items = rows(queryset[page.offset:page.offset + limit])
            # A page shorter than the limit counts itself (no COUNT query) unless it starts past the end.
            count = page.offset + len(items) if 0 < len(items) < limit or (page.offset == 0 and not items) \
                else queryset.count()
            return json_response({"items": items, "count": count})

        return cast(View, answer)

    return decorate


def json_response(body: Any, status: int = 200) -> HttpResponse:
    """`body` as the API's JSON (the same text for dates, times and decimals as ninja's renderer),
    encoded by orjson."""
    return HttpResponse(orjson.dumps(body, default=_DJANGO_JSON.default, option=orjson.OPT_PASSTHROUGH_DATETIME),
                        status=status, content_type="application/json; charset=utf-8")


_DJANGO_JSON = DjangoJSONEncoder()


def schema_rows(schema: type[Schema]) -> Callable[[QuerySet[Any]], list[dict[str, Any]]]:
    """The `rows` of `paginate_rows` for a schema whose every field is a column: the field's name, or
    its alias naming a related column (`"grid.code"`). A schema with resolvers needs its own."""
    resolved = [name for name in schema.model_fields if hasattr(schema, f"resolve_{name}")]
    if resolved:
        raise TypeError(f"{schema.__name__} resolves {', '.join(resolved)}: give paginate_rows its own rows")
    columns = {name: (field.alias or name).replace(".", "__") for name, field in schema.model_fields.items()}

    readers: dict[type[Any], RowsByKey] = {}

    def rows(page: QuerySet[Any]) -> list[dict[str, Any]]:
        reader = readers.get(page.model)
        if reader is None:
            reader = readers[page.model] = RowsByKey(page.model, *columns.values())
        return [{name: values[column] for name, column in columns.items()} for values in reader.rows(page)]

    return rows


# Datetime columns of a long list, read for JSON. SQLite keeps a datetime as the text of its UTC
# value ("2026-12-03 08:12:33.123456", or without the fraction when it is zero); Django turns each
# into an aware datetime (through lazy settings, a parse and a replace) and the encoder turns it
# back into text: a fifth of a 50-case page (issue 19). On SQLite the list reads the stored text
# and writes the API's text from it directly; other databases hand over datetimes as before.


def stored_text(column: str) -> Cast | F:
    """For `values(name=stored_text("column"))`: a datetime column as it is stored on SQLite (cast
    to text: a plain column of declared type datetime is converted by the sqlite3 module itself), and
    as the datetime it is elsewhere."""
    if connection.vendor == "sqlite":
        return Cast(column, output_field=TextField())
    return F(column)


def stored_datetime(value: str | dt.datetime | None) -> dt.datetime | None:
    """A value read with `stored_text` as the aware datetime Django would have made of it."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value


def api_datetime(value: str | dt.datetime | None) -> str | dt.datetime | None:
    """A value read with `stored_text` as the API writes it ("2026-12-03T08:12:33.123Z", as
    DjangoJSONEncoder does: milliseconds, UTC as Z). A datetime (another database, or a text in an
    unexpected shape once parsed) is left to the encoder."""
    if isinstance(value, str):
        if len(value) == 19:  # YYYY-MM-DD HH:MM:SS
            return f"{value[:10]}T{value[11:]}Z"
        if len(value) == 26:  # YYYY-MM-DD HH:MM:SS.ffffff
            return f"{value[:10]}T{value[11:23]}Z"
        return stored_datetime(value)
    return value


class RowsByKey:
    """A list page's rows read by primary key with SQL compiled once per page length.

    A long list finds its page with the ORM as any query (the user's scope, the filters, the order)
    but only the page's keys: `rows(page)` then reads the columns shown, joins included, with a
    statement the ORM compiled from `model.objects.filter(pk__in=[…n keys]).values(*columns,
    **expressions)` the first time a page of n rows was read, and kept. Resolving twenty columns
    over six joins and compiling them on every request was a third of the case list API's time
    (issue 19). Each row is a dict keyed as `values()` keys it, plus "pk"; the rows come in the
    order of `keys`, and a key whose row has gone since is skipped. Backend converters are applied
    as the ORM would (none for text and integer columns)."""

    def __init__(self, model: type[Any], *columns: str, **expressions: Any) -> None:
        self.model, self.columns, self.expressions = model, columns, expressions
        self._compiled: dict[tuple[str, int], tuple[str, list[str], Any, list[Any]]] = {}

    def rows(self, page: QuerySet[Any]) -> list[dict[str, Any]]:
        return self.read(list(page.values_list("pk", flat=True)))

    def read(self, keys: list[Any]) -> list[dict[str, Any]]:
        if not keys:
            return []
        sql, names, query, converted = self._statement(len(keys))
        with connection.cursor() as cursor:
            cursor.execute(sql, keys)
            found = cursor.fetchall()
        if converted:
            compiler = query.get_compiler(connection=connection)  # this thread's connection
            found = list(compiler.apply_converters(found, compiler.get_converters(converted)))
        by_key = {row[0]: dict(zip(names, row, strict=True)) for row in found}
        return [by_key[key] for key in keys if key in by_key]

    def _statement(self, n: int) -> tuple[str, list[str], Any, list[Any]]:
        """The statement for n keys, its column names, its query and the selected expressions
        (all of them when one needs a converter, none otherwise)."""
        key = (connection.vendor, n)
        statement = self._compiled.get(key)
        if statement is None:
            placeholders = list(range(1, n + 1))
            query = (self.model._base_manager.filter(pk__in=placeholders).order_by()
                     .values("pk", *self.columns, **self.expressions).query)
            compiler = query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            if list(params) != placeholders:  # the keys must be the statement's only parameters
                raise ValueError(f"{self.model.__name__} rows: parameters {params!r} are not the keys alone")
            names = [alias for _expression, _sql, alias in compiler.select]
            if names[0] != "pk" or len(set(names)) != len(names):
                raise ValueError(f"{self.model.__name__} rows: unexpected columns {names!r}")
            selected = [expression for expression, _sql, _alias in compiler.select]
            statement = self._compiled[key] = (sql, names, query, selected if compiler.get_converters(selected) else [])
        return statement
