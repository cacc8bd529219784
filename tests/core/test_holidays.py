"""The holiday table: `chuangcheng holidays` (list, sync) and the admin where a street admin enters
next year's schedule."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from chuangcheng.core import workcal
from chuangcheng.core.models import AuditEvent, CalendarDay

pytestmark = pytest.mark.django_db

NOVEMBER_2026 = dt.datetime(2026, 11, 29, 10, tzinfo=dt.UTC)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("holidays", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_sync_is_idempotent_and_keeps_admin_rows() -> None:
    # An admin corrected a library day and entered next year's New Year holiday.
    CalendarDay.objects.filter(date=dt.date(2026, 10, 7)).update(source="admin", name="国庆节（本街道）")
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦", source="admin")
    CalendarDay.objects.filter(date=dt.date(2026, 10, 1)).update(name="wrong")
    CalendarDay.objects.filter(date=dt.date(2026, 10, 2)).delete()
    CalendarDay.objects.create(date=dt.date(2026, 11, 2), kind="holiday", name="stale", source="library")
    before = CalendarDay.objects.count()

    first = workcal.sync_from_library()
    assert (first.created, first.updated, first.deleted) == (1, 1, 1)
    assert first.kept_admin == 1
    assert CalendarDay.objects.count() == before
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 7)).name == "国庆节（本街道）"
    assert CalendarDay.objects.filter(date=dt.date(2027, 1, 1), source="admin").exists()

    rows = list(CalendarDay.objects.values_list("date", "kind", "name", "source"))
    second = workcal.sync_from_library()
    assert (second.created, second.updated, second.deleted) == (0, 0, 0)
    assert list(CalendarDay.objects.values_list("date", "kind", "name", "source")) == rows


def test_the_sync_command_reports_and_warns_about_next_year() -> None:
    with time_machine.travel(NOVEMBER_2026, tick=False):
        out, err = run("--sync")
    assert "新增 0 条，修改 0 条，删除 0 条" in out
    assert "2027" in err and "周一至周五" in err


def test_listing_a_known_year_shows_its_days() -> None:
    out, err = run("--year", "2026")
    assert "2026-10-10  调休上班日  国庆节" in out
    assert "2026-10-01  法定节假日  国庆节" in out
    assert err == ""


def test_listing_a_year_without_data_warns() -> None:
    out, err = run("--year", "2027")
    assert out == ""
    assert "没有 2027 年的节假日数据" in err


def test_listing_a_year_an_admin_entered_needs_no_warning() -> None:
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦", source="admin")
    out, err = run("--year", "2027")
    assert "2027-01-01  法定节假日  元旦  (管理员录入)" in out
    assert err == ""


def test_the_seed_migration_is_reversible_and_leaves_admin_rows_alone() -> None:
    from django.apps import apps

    seed = importlib.import_module("chuangcheng.core.migrations.0004_seed_calendar_days")
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦", source="admin")
    seed.unseed(apps, None)
    assert list(CalendarDay.objects.values_list("source", flat=True)) == ["admin"]
    seed.seed(apps, None)
    assert CalendarDay.objects.filter(source="library").count() == len(workcal.library_days())
    assert CalendarDay.objects.filter(source="admin").count() == 1


# -- admin -------------------------------------------------------------------------------------


def test_a_street_admin_enters_next_years_holiday_in_the_admin(cast: Any, as_user: Any) -> None:
    with time_machine.travel(NOVEMBER_2026, tick=False):
        client = as_user(cast.street_admin)
        listing = client.get(reverse("admin:core_calendarday_changelist"))
        assert listing.status_code == 200
        assert "尚未录入 2027 年的节假日" in listing.content.decode()

        # In the same sitting: a session left idle for hours ends, whatever today's date is.
        response = client.post(
            reverse("admin:core_calendarday_add"), {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
        )
    assert response.status_code == 302
    row = CalendarDay.objects.get(date=dt.date(2027, 1, 1))
    assert (row.kind, row.name, row.source) == ("holiday", "元旦", "admin")
    assert AuditEvent.objects.filter(object_type="core.calendarday", action="create").exists()
    assert not workcal.WorkCalendar().is_working_day(dt.date(2027, 1, 1))


def test_an_admin_edit_of_a_library_row_makes_it_an_admin_row(cast: Any, as_user: Any) -> None:
    row = CalendarDay.objects.get(date=dt.date(2026, 10, 10))
    response = as_user(cast.street_admin).post(
        reverse("admin:core_calendarday_change", args=[row.pk]),
        {"date": "2026-10-10", "kind": "workday", "name": "国庆节调休"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.name, row.source) == ("国庆节调休", "admin")
    workcal.sync_from_library()
    row.refresh_from_db()
    assert row.name == "国庆节调休"


def test_a_weekday_cannot_be_entered_as_a_make_up_workday(cast: Any, as_user: Any) -> None:
    response = as_user(cast.street_admin).post(
        reverse("admin:core_calendarday_add"), {"date": "2027-01-04", "kind": "workday", "name": "元旦"}
    )
    assert response.status_code == 200
    assert not CalendarDay.objects.filter(date=dt.date(2027, 1, 4)).exists()


def test_an_admin_may_delete_an_admin_row_but_not_a_library_row(cast: Any, as_user: Any) -> None:
    client = as_user(cast.street_admin)
    mine = CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦", source="admin")
    library = CalendarDay.objects.get(date=dt.date(2026, 10, 1))
    assert client.post(reverse("admin:core_calendarday_delete", args=[library.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:core_calendarday_delete", args=[mine.pk]), {"post": "yes"}).status_code == 302
    assert not CalendarDay.objects.filter(pk=mine.pk).exists()
    assert AuditEvent.objects.filter(object_type="core.calendarday", action="delete").exists()


def test_community_admins_do_not_keep_the_calendar(cast: Any, as_user: Any) -> None:
    client = as_user(cast.admin_a)
    assert client.get(reverse("admin:core_calendarday_changelist")).status_code == 403
    assert client.post(
        reverse("admin:core_calendarday_add"), {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    ).status_code == 403
    assert not CalendarDay.objects.filter(date=dt.date(2027, 1, 1)).exists()
