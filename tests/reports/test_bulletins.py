"""The daily bulletin: what it says about the bulletin day (tests/reports/bulletin_scene.py, counted
by hand), drafting and publishing (numbers, freezing, the robot push, who may), and the evening job."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.http import QueryDict

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Category
from chuangcheng.cases.queries import CaseFilter, filter_cases
from chuangcheng.core.models import AuditEvent
from chuangcheng.core.workflow import SYSTEM
from chuangcheng.notify.models import Channel, Message, Webhook
from chuangcheng.reports.models import Bulletin, Publication
from chuangcheng.reports.queries.bulletins import compose_bulletin, photo_ids
from chuangcheng.reports.services import bulletins as services
from chuangcheng.reports.services.bulletins import (
    AlreadyPublished,
    draft_bulletin,
    draft_due_bulletins,
    publish_bulletin,
)
from tests import factories as f
from tests.reports.bulletin_scene import DAY, EVENING, at, build


@pytest.fixture
def scene(cast, media):
    return build(cast)


@pytest.fixture
def content(scene):
    with time_machine.travel(EVENING, tick=False):
        return compose_bulletin(scene.cast.street, DAY)


# --- composing --------------------------------------------------------------------------------


def test_the_summary_counts_the_days_inspections_and_cases(content):
    s = content["summary"]
    assert (s["visits_planned"], s["visits_done"], s["inspections"], s["points_inspected"]) == (3, 3, 4, 4)
    assert (s["items_failed"], s["zero_loss_failed"], s["score_rate"]) == (3, 1, 75.0)
    assert (s["cases_opened"], s["cases_from_residents"], s["cases_rectified"], s["cases_closed"]) == (4, 1, 3, 1)
    assert (s["cases_returned"], s["cases_overdue"], s["cases_open"]) == (0, 3, 6)
    # No deadline fell on DAY (C1–C3 are due tomorrow); O1–O3 were overdue at its start and still are:
    # 0 met of 3 due, not 100 % beside three overdue cases.
    assert (s["cases_due"], s["cases_carried"], s["cases_due_met"], s["on_time_rate"]) == (0, 3, 0, 0.0)
    assert content["day"] == "2026-06-03" and content["street"]["code"] == "150103001"
    json.dumps(content)  # plain JSON, storable as it is


def test_each_community_has_its_row_with_links_to_its_lists(content):
    rows = {row["code"]: row for row in content["communities"]}
    a, b = rows["150103001001"], rows["150103001002"]
    assert (a["inspections"], a["items_failed"], a["score_rate"], a["cases_opened"], a["cases_overdue"]) == (
        2, 3, 50.0, 2, 2)
    assert (b["inspections"], b["items_failed"], b["score_rate"], b["cases_opened"], b["cases_overdue"]) == (
        2, 0, 100.0, 2, 1)
    assert a["links"]["cases_overdue"] == {"view": "cases:list", "args": [],
                                           "query": "region=150103001001&overdue=1"}
    assert a["links"]["cases_opened"]["query"] == "region=150103001001&since=2026-06-03&until=2026-06-03"


def test_the_lists_behind_the_case_figures_hold_exactly_the_cases_counted(content, scene):
    """Every figure can be traced: the case list a figure links to shows as many cases as it says."""
    for row in [content["summary"], *content["communities"]]:
        for figure in ["cases_opened", "cases_dispatched", "cases_rectified", "cases_closed", "cases_returned"]:
            query = (row.get("links") or content["links"])[figure]["query"]
            listed = filter_cases(scene.cast.street_admin, CaseFilter.from_params(QueryDict(query)))
            assert listed.count() == row[figure], (row.get("code"), figure, query)


def test_problems_by_category_count_the_summarys_sets_with_shares_of_each(content):
    """Failed items and new cases by category add up to the summary's totals; each share column
    is of its own total (2 of 3 failed items are SR01; the 4 new cases split 2 and 2)."""
    got = [(row["code"], row["failed"], row["share"], row["opened"], row["opened_share"])
           for row in content["categories"]]
    assert got == [("SR01", 2, 66.7, 2, 50.0), ("XC01", 1, 33.3, 2, 50.0)]
    assert sum(row["failed"] for row in content["categories"]) == content["summary"]["items_failed"]
    assert sum(row["opened"] for row in content["categories"]) == content["summary"]["cases_opened"]
    assert content["categories"][1]["links"]["opened"]["query"] == (
        "category=XC01&region=150103001&since=2026-06-03&until=2026-06-03")


def test_zero_loss_points_that_failed_list_their_failed_items(content, scene):
    rows = content["zero_loss_failed"]
    assert [(r["point"], r["community"], r["items"]) for r in rows] == [("A1", "甲社区", ["检查项1", "检查项2"])]
    assert rows[0]["link"] == {"view": "inspections:history", "args": [], "query": "point=A1"}


def test_overdue_cases_are_grouped_by_unit_oldest_first(content, scene):
    c = scene.cases
    got = [(r["unit"], r["count"], [o["number"] for o in r["oldest"]]) for r in content["overdue_by_unit"]]
    assert got == [("WY-A", 2, [c["O1"].number, c["O3"].number]), ("CG", 1, [c["O2"].number])]
    assert content["overdue_by_unit"][0]["link"]["query"] == "unit=WY-A&region=150103001&overdue=1"


def test_typical_problems_need_a_photo_before_and_after(content, scene):
    """C1 (rectified) and C2 (closed) have both; C3 has no before photo."""
    rows = content["typical"]
    assert [r["case"] for r in rows] == [scene.cases["C1"].number, scene.cases["C2"].number]
    assert rows[0]["before"]["id"] == scene.photos["C1-before"].pk
    assert rows[0]["after"]["id"] == scene.photos["C1-after"].pk
    assert rows[1]["place"] == "乙一市场" and rows[1]["unit"] == "城管中队"
    assert set(photo_ids(content).values()) == {scene.photos[n].pk for n in
                                                ("C1-before", "C1-after", "C2-before", "C2-after")}


def test_tomorrows_focus_is_points_failing_on_two_days_of_the_last_seven(content):
    """A2 failed on 1 and 3 June; B1 on 1 June only; B2 on 28 May (and 27 May, outside the window)."""
    assert [(r["point"], r["days"], r["failures"]) for r in content["focus"]] == [("A2", 2, 2)]


# --- drafting and publishing ------------------------------------------------------------------


def test_a_draft_is_made_once_and_refreshed_with_the_latest_figures(scene):
    street = scene.cast.street
    with time_machine.travel(EVENING, tick=False):
        first = draft_bulletin(street, DAY, by=scene.cast.street_admin)
        assert first.content["summary"]["cases_opened"] == 4 and first.number is None
        cases.report_case(by=SYSTEM, source="resident", category=Category.objects.get(code="SR01"),
                          description="新问题", grid=scene.cast.grid_a)
    with time_machine.travel(at(DAY, 18, 30), tick=False):
        again = draft_bulletin(street, DAY, by=scene.cast.street_admin)
    assert again.pk == first.pk and Bulletin.objects.count() == 1
    assert again.content["summary"]["cases_opened"] == 5
    assert again.status == Publication.DRAFT and again.year == 2026


def test_publishing_numbers_freezes_and_records(scene):
    street, admin = scene.cast.street, scene.cast.street_admin
    with time_machine.travel(EVENING, tick=False):
        draft = draft_bulletin(street, DAY, by=admin)
        published = publish_bulletin(draft, by=admin, remarks="请各社区对照整改。")
    assert (published.status, published.number, published.published_by) == (Publication.PUBLISHED, 1, admin)
    assert published.published_at == EVENING
    assert published.content["number"] == 1 and published.content["remarks"] == "请各社区对照整改。"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PUBLISH, object_type="reports.bulletin").count() == 1

    frozen = published.content
    with time_machine.travel(at(DAY, 19), tick=False):
        cases.report_case(by=SYSTEM, source="resident", category=Category.objects.get(code="SR01"),
                          description="发布后的问题", grid=scene.cast.grid_a)
    with time_machine.travel(at(DAY, 20), tick=False):
        with pytest.raises(AlreadyPublished):
            draft_bulletin(street, DAY, by=admin)
        with pytest.raises(AlreadyPublished):
            publish_bulletin(published, by=admin)
        assert compose_bulletin(street, DAY)["summary"]["cases_opened"] == 5
    published.refresh_from_db()
    assert published.content == frozen and published.content["summary"]["cases_opened"] == 4


def test_publishing_recomposes_the_draft_right_before_freezing(scene):
    street, admin = scene.cast.street, scene.cast.street_admin
    with time_machine.travel(at(DAY, 17, 30), tick=False):
        draft = draft_bulletin(street, DAY, by=admin)
    drafted = draft.content["summary"]["cases_opened"]
    with time_machine.travel(at(DAY, 17, 45), tick=False):
        cases.report_case(by=SYSTEM, source="resident", category=Category.objects.get(code="SR01"),
                          description="傍晚的问题", grid=scene.cast.grid_b)
    with time_machine.travel(EVENING, tick=False):
        published = publish_bulletin(draft, by=admin)
    assert drafted == 4
    assert published.content["summary"]["cases_opened"] == 5


def test_numbers_run_per_subdistrict_and_year(cast, media):
    other_street = f.street(cast.district, code="150103002", name="环河街道")
    with time_machine.travel(dt.datetime(2027, 1, 6, 18, tzinfo=dt.UTC), tick=False):
        numbers = []
        for street, day in [(cast.street, dt.date(2026, 12, 30)), (cast.street, dt.date(2026, 12, 31)),
                            (other_street, dt.date(2026, 12, 31)), (cast.street, dt.date(2027, 1, 4)),
                            (cast.street, dt.date(2027, 1, 5))]:
            numbers.append(publish_bulletin(draft_bulletin(street, day), by=None).number)
    assert numbers == [1, 2, 1, 1, 2]


def test_a_number_taken_meanwhile_is_skipped(scene, monkeypatch):
    """The unique constraint refuses a number another publication took; the next one is given."""
    admin, street = scene.cast.street_admin, scene.cast.street
    with time_machine.travel(EVENING, tick=False):
        earlier = publish_bulletin(draft_bulletin(street, DAY - dt.timedelta(days=1)), by=None)
        draft = draft_bulletin(street, DAY)
        calls = []
        real = services._next_number

        def stale(street_, year, kind="daily"):  # the first answer is what a concurrent reader saw: taken already
            calls.append(year)
            return earlier.number if len(calls) == 1 else real(street_, year, kind)

        monkeypatch.setattr(services, "_next_number", stale)
        published = publish_bulletin(draft, by=admin)
    assert (earlier.number, published.number, len(calls)) == (1, 2, 2)


def test_the_unique_number_is_enforced_by_the_database(scene):
    with time_machine.travel(EVENING, tick=False):
        first = publish_bulletin(draft_bulletin(scene.cast.street, DAY), by=None)
        second = draft_bulletin(scene.cast.street, DAY - dt.timedelta(days=1))
    with pytest.raises(IntegrityError):
        Bulletin.objects.filter(pk=second.pk).update(number=first.number)


def test_publishing_posts_to_the_street_robots_and_the_named_units_and_communities_inboxes(scene):
    cast = scene.cast
    robot = Webhook.objects.create(name="街道创城群", kind=Webhook.Kind.WECOM, region=cast.street,
                                   url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    Webhook.objects.create(name="甲社区群", kind=Webhook.Kind.WECOM, region=cast.community_a,
                           url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=def")
    with time_machine.travel(EVENING, tick=False):
        published = publish_bulletin(draft_bulletin(cast.street, DAY), by=cast.street_admin)
    robots = Message.objects.filter(channel=Channel.WECOM)
    assert [m.webhook_id for m in robots] == [robot.pk]
    text = robots[0].title + robots[0].body
    assert "第1期" in robots[0].title and "2026年6月3日" in robots[0].title
    assert "甲一路" in text and "甲二巷" in text  # the zero-loss point and tomorrow's focus by name
    assert robots[0].payload["link"] == "/reports/bulletins/150103001/2026-06-03/"
    inbox = Message.objects.filter(channel=Channel.INBOX, key__startswith="bulletin:")
    # 甲物业 (its handler) is named by its overdue cases; both communities by their rows.
    assert sorted(int(m.target) for m in inbox) == sorted([cast.admin_a.pk, cast.admin_b.pk, scene.handler.pk])
    assert published.number == 1


def test_only_the_streets_admins_draft_and_publish(scene):
    cast = scene.cast
    with time_machine.travel(EVENING, tick=False):
        for user in (cast.admin_a, cast.leader, scene.inspector, scene.handler):
            with pytest.raises(PermissionDenied):
                draft_bulletin(cast.street, DAY, by=user)
        draft = draft_bulletin(cast.street, DAY, by=None)
        for user in (cast.admin_a, cast.leader, scene.inspector, scene.handler):
            with pytest.raises(PermissionDenied):
                publish_bulletin(draft, by=user)
    draft.refresh_from_db()
    assert draft.status == Publication.DRAFT and draft.number is None


# --- the evening job --------------------------------------------------------------------------


def test_under_celery_beat_the_bulletin_is_drafted_in_the_minute_set_for_it(scene, settings):
    settings.BULLETIN_DRAFT_AT = "17:37"
    every = settings.CELERY_BEAT_SCHEDULE["reports-draft-bulletins"]["schedule"]
    beat = at(DAY, 17, 30) + dt.timedelta(seconds=5)  # beat sends the job from 17:30:05 on
    while not Bulletin.objects.exists() and beat < at(DAY, 23, 0):
        with time_machine.travel(beat, tick=False):
            draft_due_bulletins()
        beat += dt.timedelta(seconds=every)
    assert at(DAY, 17, 37) <= Bulletin.objects.get().drafted_at < at(DAY, 17, 38)


def test_the_evening_job_drafts_once_after_the_draft_time(scene, settings):
    settings.BULLETIN_DRAFT_AT = "17:30"
    with time_machine.travel(at(DAY, 17, 29), tick=False):
        assert draft_due_bulletins() == 0
    assert not Bulletin.objects.exists()
    with time_machine.travel(at(DAY, 17, 31), tick=False):
        assert draft_due_bulletins() == 1
        assert draft_due_bulletins() == 0
    with time_machine.travel(at(DAY, 23, 50), tick=False):
        assert draft_due_bulletins() == 0
    bulletin = Bulletin.objects.get()
    assert (bulletin.day, bulletin.status, bulletin.drafted_at) == (DAY, Publication.DRAFT, at(DAY, 17, 31))
    assert bulletin.content["summary"]["inspections"] == 4


def test_the_evening_job_follows_the_configured_time(scene, settings):
    settings.BULLETIN_DRAFT_AT = "20:00"
    with time_machine.travel(at(DAY, 19, 0), tick=False):
        assert draft_due_bulletins() == 0
    with time_machine.travel(at(DAY, 20, 0), tick=False):
        assert draft_due_bulletins() == 1


def test_the_evening_job_leaves_a_published_bulletin_alone(scene):
    with time_machine.travel(at(DAY, 17, 0), tick=False):
        publish_bulletin(draft_bulletin(scene.cast.street, DAY), by=None)
    with time_machine.travel(at(DAY, 18, 0), tick=False):
        assert draft_due_bulletins() == 0
    assert Bulletin.objects.get().status == Publication.PUBLISHED


def test_a_malformed_draft_time_is_refused_at_startup(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from chuangcheng.settings import env_clock_time

    for bad in ("5:30", "17:60", "24:00", "evening", "1730"):
        monkeypatch.setenv("BULLETIN_DRAFT_AT", bad)
        with pytest.raises(ImproperlyConfigured):
            env_clock_time("BULLETIN_DRAFT_AT", "17:30")
    monkeypatch.setenv("BULLETIN_DRAFT_AT", "06:05")
    assert env_clock_time("BULLETIN_DRAFT_AT", "17:30") == "06:05"


# --- the command ------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("bulletin", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_writes_the_published_snapshot_as_json(scene, tmp_path: Path):
    with time_machine.travel(EVENING, tick=False):
        published = publish_bulletin(draft_bulletin(scene.cast.street, DAY), by=None, remarks="备注")
        cases.report_case(by=SYSTEM, source="resident", category=Category.objects.get(code="SR01"),
                          description="发布后的问题", grid=scene.cast.grid_a)
        target = tmp_path / "b.json"
        run("--date", "2026-06-03", "--region", "150103001", "--format", "json", "-o", str(target))
    data = json.loads(target.read_text(encoding="utf-8"))
    assert (data["number"], data["status"], data["remarks"]) == (published.number, "published", "备注")
    assert data["content"]["summary"]["cases_opened"] == 4


def test_the_command_composes_live_without_a_published_bulletin(scene, tmp_path: Path):
    with time_machine.travel(EVENING, tick=False):
        run("--date", "2026-06-03", "--region", "150103001", "--format", "html", "-o", str(tmp_path / "b.html"))
        run("--date", "2026-06-03", "--region", "150103001", "--format", "docx", "-o", str(tmp_path / "b.docx"))
    html = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert 'data-case="' + scene.cases["C1"].number + '"' in html
    assert html.count('src="data:image/jpeg;base64,') == 4
    assert (tmp_path / "b.docx").read_bytes()[:2] == b"PK"
    assert not Bulletin.objects.exists()  # a read: nothing drafted


@pytest.mark.parametrize("args, message", [
    (["--date", "2026-13-01", "--region", "150103001"], "YYYY-MM-DD"),
    (["--date", "2026-06-03", "--region", "NOPE"], "NOPE"),
    (["--date", "2026-06-03", "--region", "150103001001"], "甲社区"),
    (["--date", "2026-06-03", "--region", "150103001", "--format", "pdf"], "pdf"),
    (["--date", "2026-06-04", "--region", "150103001"], ""),
])
def test_the_command_refuses_bad_input_clearly(cast, args, message):
    with time_machine.travel(EVENING, tick=False), pytest.raises(CommandError) as info:
        run(*args)
    assert message in str(info.value)


# --- the demo's history -----------------------------------------------------------------------


def test_the_demo_publishes_every_past_day_in_order_at_its_evening(scene):
    from chuangcheng.demo.bulletins import publish_history

    days = [DAY, DAY - dt.timedelta(days=2), DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1)]
    seen = []
    with time_machine.travel(at(DAY + dt.timedelta(days=1), 9), tick=False):
        assert publish_history(scene.cast.street, days, scene.cast.street_admin,
                               progress=lambda done, total: seen.append((done, total))) == 3
        assert publish_history(scene.cast.street, days, scene.cast.street_admin) == 0
    got = [(b.day, b.number, b.published_at, b.drafted_at) for b in Bulletin.objects.order_by("day")]
    assert got == [(DAY - dt.timedelta(days=2), 1, at(DAY - dt.timedelta(days=2), 18, 30),
                    at(DAY - dt.timedelta(days=2), 17, 30)),
                   (DAY - dt.timedelta(days=1), 2, at(DAY - dt.timedelta(days=1), 18, 30),
                    at(DAY - dt.timedelta(days=1), 17, 30)),
                   (DAY, 3, at(DAY, 18, 30), at(DAY, 17, 30))]
    assert seen[-1] == (3, 3)
    # Composed as of that evening: the cases reported later that night are not in it.
    assert Bulletin.objects.get(day=DAY).content["summary"]["cases_opened"] == 4
