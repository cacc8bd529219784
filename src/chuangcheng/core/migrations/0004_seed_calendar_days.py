"""Seed the holiday table from the installed `chinesecalendar` (2004 to the last announced year).
Later releases of the package are picked up with `chuangcheng holidays --sync`."""

from django.db import migrations


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarDay = apps.get_model("core", "CalendarDay")

    def chinese(name):
        try:
            return str(chinese_calendar.Holiday(name).chinese)
        except ValueError:
            return name

    rows = {}
    for day, name in chinese_calendar.holidays.items():
        rows[day] = CalendarDay(date=day, kind="holiday", name=chinese(name), source="library")
    for day, name in chinese_calendar.workdays.items():
        rows[day] = CalendarDay(date=day, kind="workday", name=chinese(name), source="library")
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
