"""Seed the holiday table with the statutory holidays and make-up workdays known when this
migration was written (2004 to 2026, from chinesecalendar 1.11.0), frozen in
0004_seed_calendar_days.json beside this file, so upgrading the package cannot change what this
migration does. Later releases of the package are picked up with `chuangcheng holidays --sync`."""

import datetime as dt
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).with_suffix(".json")


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    rows = {}
    for kind, days in (("holiday", data["holidays"]), ("workday", data["workdays"])):
        for day, name in days.items():
            date = dt.date.fromisoformat(day)
            rows[date] = CalendarDay(date=date, kind=kind, name=name, source="library")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create([row for day, row in sorted(rows.items()) if day not in existing])


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.filter(source="library").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_calendar_day"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
