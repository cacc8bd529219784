"""The escalation ladder (督办): per-street rules, daily reminders until the case is rectified, quiet
hours, the numbered 督办通知单, the week's 约谈 list, 上报 to the district and its answer, and a
unit's place in the weekly ranking."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx import Document

from chuangcheng.cases import services
from chuangcheng.cases.escalation import rules_for
from chuangcheng.cases.models import Case, CaseEvent, EscalationRules, State, SupervisionNotice
from chuangcheng.core import clock
from chuangcheng.notify.models import Channel, Message
from chuangcheng.org.models import Role
from chuangcheng.reports.models import Ranking
from tests import factories as f
from tests.cases.conftest import dispatched, photo

CST = dt.timezone(dt.timedelta(hours=8))
# Dispatched on a Monday morning: the one working day runs out on Tuesday 24 November at 17:30.
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=CST)


def day(n: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """November `n`, 2026, at the given local time."""
    return dt.datetime(2026, 11, n, hour, minute, tzinfo=CST)


def sweep(moment: dt.datetime) -> services.SweepResult:
    with time_machine.travel(moment, tick=False):
        return services.sweep_deadlines()


def overdue_case(scene) -> Case:
    with time_machine.travel(MONDAY, tick=False):
        return dispatched(scene)


def reminders(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, action="remind").order_by("at"))


@pytest.fixture
def phones(scene):
    scene.unit.head_name, scene.unit.head_phone = "王经理", "13800000001"
    scene.unit.liaison_name, scene.unit.liaison_phone = "李联络", "13800000002"
    scene.unit.save()
    return scene


# --- rules ---------------------------------------------------------------------------------------


def test_a_street_without_rules_climbs_the_default_ladder(cast):
    rules = rules_for(cast.street)
    assert rules.pk is None
    assert (rules.warn_percent, rules.remind_at, rules.quiet_from, rules.quiet_until,
            rules.notice_after_days, rules.interview_after_days) == (
        80, dt.time(9), dt.time(21), dt.time(8), 3, 5)
    assert rules.is_quiet(dt.time(22, 30)) and rules.is_quiet(dt.time(7, 59))
    assert not rules.is_quiet(dt.time(8, 0)) and not rules.is_quiet(dt.time(20, 59))


def test_the_street_admin_edits_the_rules_and_wrong_values_are_refused_in_chinese(cast, as_user):
    url = reverse("cases:escalation_rules")
    client = as_user(cast.street_admin)
    assert client.get(url).status_code == 200
    form = {"warn_percent": "120", "remind_at": "09:30", "quiet_from": "22:00", "quiet_until": "07:00",
            "notice_after_days": "4", "interview_after_days": "2"}
    refused = client.post(url, form)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "1 % 到 99 %" in html and "约谈名单" in html
    assert not EscalationRules.objects.exists()

    saved = client.post(url, {**form, "warn_percent": "70", "interview_after_days": "6"})
    assert saved.status_code == 302
    rules = EscalationRules.objects.get(street=cast.street)
    assert (rules.warn_percent, rules.remind_at, rules.notice_after_days, rules.interview_after_days) == (
        70, dt.time(9, 30), 4, 6)


def test_only_a_street_admin_sets_the_rules(cast, as_user):
    url = reverse("cases:escalation_rules")
    for user in (cast.admin_a, cast.leader, cast.grid_worker_a):
        assert as_user(user).get(url).status_code == 403
        assert as_user(user).post(url, {"warn_percent": "50"}).status_code == 403
    assert not EscalationRules.objects.exists()


def test_the_warning_reaches_the_units_liaison_by_sms(phones):
    case = overdue_case(phones)
    assert sweep(day(24, 15)).warned == 1
    assert [m.target for m in Message.objects.filter(key__startswith=f"case:{case.number}:warn:",
                                                     channel=Channel.SMS)] == ["13800000002"]


def test_the_streets_share_sets_when_the_unit_is_warned(scene):
    EscalationRules.objects.create(street=scene.cast.street, warn_percent=50)
    case = overdue_case(scene)
    # Half of the 13.5 working hours from Monday 09:00 are used on Tuesday at 08:45 (80 %: 14:48).
    assert clock.local(case.warn_at) == day(24, 8, 45)


# --- daily reminders -----------------------------------------------------------------------------


def test_an_overdue_case_is_reminded_every_day_at_nine_until_it_is_rectified(phones):
    scene = phones
    case = overdue_case(scene)
    assert sweep(day(25, 9)).escalated == 1  # the first escalation, no reminder that day
    for n in (26, 27, 28, 29, 30):
        assert sweep(day(n, 8, 30)).reminded == 0  # before the street's hour
        assert sweep(day(n, 9)).reminded == 1
        assert sweep(day(n, 15)).reminded == 0  # once a day, however often the sweep runs
    reminded = reminders(case)
    assert [clock.local(e.at).date().day for e in reminded] == [26, 27, 28, 29, 30]
    assert [e.data["days_overdue"] for e in reminded] == [2, 3, 3, 3, 4]  # 28 and 29 are a weekend
    sms = Message.objects.filter(key__startswith=f"case:{case.number}:remind:2026-11-26", channel=Channel.SMS)
    assert sorted(m.target for m in sms) == ["13800000001", "13800000002"]
    assert Message.objects.filter(key__startswith=f"case:{case.number}:remind:2026-11-26", channel=Channel.INBOX,
                                  target=str(scene.handler.pk)).exists()

    with time_machine.travel(dt.datetime(2026, 12, 1, 8, 0, tzinfo=CST), tick=False):
        services.rectify_case(case, by=scene.handler, photos=[photo(scene.handler)])
    assert sweep(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST)).reminded == 0
    assert sweep(dt.datetime(2026, 12, 2, 9, 0, tzinfo=CST)).reminded == 0
    assert len(reminders(case)) == 5


def test_a_sweep_replayed_over_a_history_skips_the_days_a_later_change_shows_the_case_was_not_running(phones):
    """Replaying the sweep over a written history (as the demo does) must not remind a case on a
    day it was already rectified, even though it is overdue again now after a rework."""
    scene = phones
    case = overdue_case(scene)
    with time_machine.travel(day(23, 11), tick=False):
        services.start_rectification(case, by=scene.handler)  # being rectified, as it is again at the end
    with time_machine.travel(day(26, 10), tick=False):
        case.refresh_from_db()
        services.rectify_case(case, by=scene.handler, photos=[photo(scene.handler)])
    with time_machine.travel(day(30, 10), tick=False):
        case.refresh_from_db()
        services.return_for_rework(case, by=scene.cast.street_admin, note="未整改到位")
    for n in (25, 26, 27, 30):
        sweep(day(n, 9))
    sweep(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST))
    notes = CaseEvent.objects.filter(case=case, action__in=["escalate", "remind"]).order_by("at")
    # The 25th and the 26th at nine (still being rectified then) and 1 December (reworked the day
    # before), not the 27th and 30th, when it was waiting as rectified.
    assert [(e.action, clock.local(e.at).date().day) for e in notes] == [("escalate", 25), ("remind", 26),
                                                                          ("remind", 1)]
    log = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    assert all(after.from_state == before.to_state for before, after in zip(log, log[1:], strict=False))


def test_nothing_is_sent_in_quiet_hours_and_it_goes_at_the_next_allowed_moment(phones):
    case = overdue_case(phones)
    assert sweep(day(24, 22)) == services.SweepResult()  # overdue since 17:30, but quiet from 21:00
    assert sweep(day(25, 7, 59)) == services.SweepResult()
    assert sweep(day(25, 8)).escalated == 1
    EscalationRules.objects.create(street=phones.cast.street, remind_at=dt.time(22, 0))
    # An hour set inside the quiet hours waits for their end.
    assert sweep(day(26, 7)).reminded == 0
    assert sweep(day(26, 8)).reminded == 1
    for event in CaseEvent.objects.filter(case=case, actor__isnull=True).exclude(action="report"):
        local = clock.local(event.at).time()
        assert dt.time(8) <= local < dt.time(21)


# --- 督办通知单 ----------------------------------------------------------------------------------


def test_after_three_working_days_the_unit_gets_one_numbered_notice_listing_its_cases(phones):
    scene = phones
    first, second = overdue_case(scene), overdue_case(scene)
    for n in (25, 26):
        assert sweep(day(n)).notices == 0
    result = sweep(day(27))  # Friday: the third working day after the deadline
    assert result.notices == 1
    notice = SupervisionNotice.objects.get()
    assert (notice.street, notice.year, notice.number, notice.unit, notice.label) == (
        scene.cast.street, 2026, 1, scene.unit, "〔2026〕第1号")
    assert set(notice.cases.all()) == {first, second}
    assert notice.reply_by == dt.date(2026, 12, 1)  # two working days on
    assert CaseEvent.objects.filter(action="supervise", note="〔2026〕第1号").count() == 2
    assert Message.objects.filter(key__startswith="notice:150103001:2026:1:sms", target="13800000001").count() == 1

    assert sweep(day(27, 15)).notices == 0  # once a day
    assert sweep(day(30)).notices == 0  # its cases are on a notice already

    # Another unit's cases get the street's next number.
    with time_machine.travel(MONDAY, tick=False):
        other = services.report_case(by=scene.cast.grid_worker_a, source="inspection", category=scene.category,
                                     description="路边乱堆物", point=scene.point)
        services.accept_case(other, by=scene.cast.street_admin)
        services.dispatch_case(other, by=scene.cast.street_admin, unit=scene.other_unit)
    assert sweep(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST)).notices == 1
    assert list(SupervisionNotice.objects.order_by("number").values_list("number", "unit__code")) == [
        (1, "WY-A"), (2, "CG")]


def test_notice_numbers_start_again_each_year(phones):
    SupervisionNotice.objects.create(street=phones.cast.street, year=2025, number=7, unit=phones.unit,
                                     day=dt.date(2025, 12, 1), reply_by=dt.date(2025, 12, 3))
    overdue_case(phones)
    sweep(day(27))
    assert SupervisionNotice.objects.get(year=2026).number == 1


def test_the_notice_downloads_as_an_official_document_from_the_case_and_the_list(phones, as_user, tmp_path):
    scene = phones
    case = overdue_case(scene)
    with time_machine.travel(MONDAY, tick=False):
        CaseEvent.objects.get(case=case, action="report").photos.add(photo(scene.cast.grid_worker_a, "blue"))
    sweep(day(27))
    notice = SupervisionNotice.objects.get()
    url = reverse("cases:notice_docx", args=[notice.code])
    with time_machine.travel(day(27, 10), tick=False):
        assert url in as_user(scene.cast.street_admin).get(reverse("cases:detail", args=[case.number])).content.decode()
        assert url in as_user(scene.handler).get(reverse("cases:notices")).content.decode()
        response = as_user(scene.handler).get(url)
    assert response.status_code == 200
    assert "docx" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "督办通知单" in text and "〔2026〕第1号" in text
    assert "甲物业" in text and "王经理" in text and "2026年12月1日" in text
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert case.number in cells and "甲小区" in cells and "2026-11-24" in cells and "3" in cells
    assert doc.inline_shapes  # the report photo

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    source = tmp_path / "notice.docx"
    source.write_bytes(response.content)
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],  # noqa: S603
                   check=True, capture_output=True, timeout=120)
    assert Path(tmp_path / "notice.pdf").stat().st_size > 1000


def test_a_notice_is_not_downloaded_outside_its_scope(phones, as_user):
    overdue_case(phones)
    sweep(day(27))
    notice = SupervisionNotice.objects.get()
    other_person = f.PersonFactory(code="H2", name="城管经办人", region=phones.cast.street, unit=phones.other_unit)
    other_handler = f.UserFactory(username="cg_handler", role=Role.UNIT_HANDLER, scope=phones.cast.street,
                                  person=other_person)
    assert as_user(other_handler).get(reverse("cases:notice_docx", args=[notice.code])).status_code == 404
    assert as_user(phones.cast.admin_b).get(reverse("cases:notice_docx", args=[notice.code])).status_code == 404
    assert as_user(phones.cast.street_admin).get(reverse("cases:notice_docx", args=["150103001-2026-99"])
                                                 ).status_code == 404


# --- 约谈 ----------------------------------------------------------------------------------------


def test_after_five_working_days_the_unit_is_on_the_weeks_talk_list(phones, as_user):
    case = overdue_case(phones)
    for n in (25, 26, 27, 30):
        assert sweep(day(n)).listed == 0
    assert sweep(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST)).listed == 1  # the fifth working day
    assert sweep(dt.datetime(2026, 12, 2, 9, 0, tzinfo=CST)).listed == 0  # once a week
    [event] = CaseEvent.objects.filter(case=case, action="interview_list")
    assert event.data["week"] == "2026-W49" and event.data["days_overdue"] == 5

    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0, tzinfo=CST), tick=False):
        page = as_user(phones.cast.leader).get(reverse("cases:talks"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "甲物业" in html and case.number in html and "〔2026〕第1号" in html
        assert as_user(phones.handler).get(reverse("cases:talks")).status_code == 403
        assert as_user(phones.cast.grid_worker_a).get(reverse("cases:talks")).status_code == 403
    assert sweep(dt.datetime(2026, 12, 7, 9, 0, tzinfo=CST)).listed == 1  # the next week again


# --- 上报 -----------------------------------------------------------------------------------------


def accepted_case(scene) -> Case:
    case = services.report_case(by=scene.cast.grid_worker_a, source="inspection", category=scene.category,
                                description="主干道路灯整排不亮，属区级部门", point=scene.point)
    services.accept_case(case, by=scene.cast.street_admin)
    return case


def test_the_street_refers_a_case_to_the_district_which_answers_it_back(scene, as_user):
    district_admin = f.UserFactory(username="district_admin", role=Role.STREET_ADMIN, scope=scene.cast.district)
    case = accepted_case(scene)
    with pytest.raises(ValidationError):
        services.refer_case(case, by=scene.cast.street_admin, reason=" ")
    with pytest.raises(PermissionDenied):
        services.refer_case(case, by=scene.cast.admin_a, reason="需区住建局处理")
    services.refer_case(case, by=scene.cast.street_admin, reason="需区住建局处理")
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.referred_at is not None and case.deadline is None
    assert Message.objects.filter(key__startswith=f"case:{case.number}:refer:", target=str(district_admin.pk)).exists()

    listing = as_user(district_admin).get(reverse("cases:referrals"))
    assert case.number in listing.content.decode()
    with pytest.raises(PermissionDenied):
        services.answer_referral(case, by=scene.cast.street_admin, note="自己处理")
    response = as_user(district_admin).post(reverse("cases:act", args=[case.number, "answer_referral"]),
                                            {"note": "已协调区住建局，由街道派至城管中队配合", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.referred_at is None
    assert [e.action for e in case.events.order_by("at", "id")][-2:] == ["refer", "answer_referral"]
    assert case.number not in as_user(district_admin).get(reverse("cases:referrals")).content.decode()
    services.dispatch_case(case, by=scene.cast.street_admin, unit=scene.other_unit)
    case.refresh_from_db()
    assert case.state == State.DISPATCHED


def test_a_case_waiting_for_the_district_cannot_be_referred_twice(scene):
    case = accepted_case(scene)
    services.refer_case(case, by=scene.cast.street_admin, reason="需区级部门")
    from chuangcheng.core.workflow import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        services.refer_case(case, by=scene.cast.street_admin, reason="再次上报")


# --- a unit's place in the weekly ranking ---------------------------------------------------------


def test_a_unit_handler_sees_the_units_place_in_the_latest_published_ranking(scene, as_user):
    url = reverse("reports:unit", args=[scene.unit.code])
    assert "unit-place" not in as_user(scene.handler).get(url).content.decode()
    units = [{"code": "CG", "name": "城管中队", "rank": 1, "due": 4, "met": 4, "overdue": 0, "rework": 0,
              "on_time_rate": 1.0, "change": None},
             {"code": "WY-A", "name": "甲物业", "rank": 2, "due": 5, "met": 3, "overdue": 2, "rework": 1,
              "on_time_rate": 0.6, "change": -1}]
    Ranking.objects.create(street=scene.cast.street, week="2026-W48", week_start=dt.date(2026, 11, 23),
                           status="published", content={"rows": [], "units": units})
    Ranking.objects.create(street=scene.cast.street, week="2026-W49", week_start=dt.date(2026, 11, 30),
                           status="draft", content={"rows": [], "units": list(reversed(units))})
    html = as_user(scene.handler).get(url).content.decode()
    assert "本周排名：第2名（共2个单位）" in html
    assert "3 / 5" in html and "60.0%" in html
