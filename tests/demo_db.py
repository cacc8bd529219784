"""The database as migrations left it, and the demo subdistrict, each kept as a copy inside the
test database so a test session builds the demo once and can always get either back.

A demo build writes a few hundred thousand rows through the services and takes minutes; copying
them takes a second or two. After a build every table is copied into a table of its own
(`CREATE TABLE … AS SELECT`). A transactional test (a browser against a live server) ends with
Django flushing every table, data migrations' rows included; the next test that wants the demo
gets it back from the copies (`restore`). This works the same on SQLite and PostgreSQL: both
create Django's foreign keys deferrable, so one transaction can empty and refill the tables in
any order."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

DEMO_PASSWORD = "demo password 1"


@dataclass
class TableCopy:
    """Every model table of the test database, copied under `prefix`."""

    prefix: str
    copies: dict[str, str] = field(default_factory=dict)  # table -> its copy

    def take(self) -> None:
        tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            for n, table in enumerate(tables):
                copy = f"{self.prefix}_{n}"
                cursor.execute(f"DROP TABLE IF EXISTS {quote(copy)}")
                cursor.execute(f"CREATE TABLE {quote(copy)} AS SELECT * FROM {quote(table)}")  # noqa: S608
                self.copies[table] = copy

    def restore(self) -> None:
        """Every table back to what it held when the copy was taken."""
        quote = connection.ops.quote_name
        tables = list(self.copies)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("TRUNCATE " + ", ".join(quote(t) for t in tables))
            else:
                for table in tables:
                    cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            for table, copy in self.copies.items():
                cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(copy)}")  # noqa: S608
            models = list(apps.get_models(include_auto_created=True))
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
