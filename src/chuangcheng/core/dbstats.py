"""The query planner's statistics of an SQLite database (PostgreSQL keeps its own: autovacuum
analyses tables as they change).

Without statistics SQLite guesses, and for the scoping join of nearly every list (a case's grid
under the reader's region: `grid__path__startswith`) it guessed to walk every case of the city and
look up each one's grid, so a subdistrict's count grew with the other subdistricts' cases (3.5 ms at
30,000 cases; 0.4 ms from the grids inward once analysed, issue 19). `ANALYZE` with a bounded
sample (`analysis_limit`) takes about 10 ms on a year of a city's data."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection

ANALYSIS_LIMIT = 400  # rows sampled per index: enough for the planner, bounded on any size
_REFRESHED = "chuangcheng:dbstats-refreshed"
REFRESH_SECONDS = 3600


def refresh_statistics() -> bool:
    """Gather the planner's statistics now (SQLite); answers whether it did."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True


def refresh_statistics_hourly() -> bool:
    """The periodic job: `refresh_statistics` at most once an hour per process."""
    if connection.vendor != "sqlite" or not cache.add(_REFRESHED, True, REFRESH_SECONDS):
        return False
    return refresh_statistics()
