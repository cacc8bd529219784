"""Every page and every API operation keeps to the scope of whoever asks, generated from the URL
resolver and the OpenAPI document rather than written route by route.

The actors sit in the cast's street (community A), one of them a handler of the street's squad;
the objects sit in community B (its case and task in the squad's hands) and in a second street.
For each actor and each object outside their scope, every route that names an object is asked
(GET and POST, or the operation's own method) and must answer 403 or 404 (405 for a method the
route does not take) and change nothing.

Every route must be listed here: in OBJECT_ROUTES / API_OBJECTS with the object it names, or in
NO_OBJECT / DEFERRED with the reason it is not asked. A new route that is in none of them fails
`test_every_route_is_listed`, so nobody adds an endpoint without saying how its scope is kept."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, Category
from chuangcheng.core import clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.engagement.publicity import services as publicity
from chuangcheng.engagement.tasklists import services as tasklists
from chuangcheng.engagement.tasklists.models import Meeting, Task
from chuangcheng.engagement.volunteering import services as volunteering
from chuangcheng.engagement.volunteering.models import Action
from chuangcheng.evidence.services import accept_photo
from chuangcheng.notify.models import Webhook
from chuangcheng.org.models import Person, Region, Role, Unit, User
from chuangcheng.places.models import Point
from chuangcheng.public import services as public
from chuangcheng.public.models import Report
from chuangcheng.surveys import services as surveys
from tests import factories as f

# --- the world -----------------------------------------------------------------------------------


@dataclass
class Place:
    """The objects of one community that an outsider must not reach."""

    community: Region
    street: Region
    grid: Region
    unit: Unit
    person: Person
    point: Point
    case: Case
    photo: str  # sha256 of the case's photo
    report: Report
    task: Task
    meeting: Meeting | None  # street-wide: only an object for people of another street
    action: Action  # a volunteer action
    item: Any  # publicity put up at the point, with its photo
    push: Any  # a message pushed to the grid's group robot, with an image
    survey: Any  # the community's draft survey, with one choice question
    material: Any = None  # a document of the street's materials archive (street-level, like meeting)
    round: Any = None  # the street's finished mock assessment round (street-level: other street only)
    order: Any = None  # a 12345 work order whose case is in the place's grid (the unit's, when it works there)
    notice: Any = None  # a 督办通知单 listing the place's case


@dataclass
class World:
    other_community: Place  # community B, in the actors' street
    other_street: Place  # a community of a second street
    actors: dict[str, User]


# Dates relative to the suite's (pinned) today, so the matrix holds on any day.
TODAY = clock.today()
SOON = clock.now().replace(microsecond=0) + dt.timedelta(days=7)
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday() + 7)  # last week's
DAY = (TODAY - dt.timedelta(days=1)).isoformat()  # the street's published bulletin
WEEK = "{}-W{:02d}".format(*MONDAY.isocalendar()[:2])  # and ranking

def _jpeg(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return out.getvalue()


def _upload(name: str, color: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _jpeg(color), content_type="image/jpeg")


def _place(*, community: Region, grid: Region, street_admin: User, prefix: str, lon: float, lat: float,
           point_type: Any, color: str, meeting: bool, works_for: Unit | None = None) -> Place:
    """The place's objects; `works_for` (a unit of the street) gets its case and its task."""
    street = community.parent
    assert street is not None
    unit = f.UnitFactory(code=f"{prefix}-U", name=f"{prefix}物业", kind=Unit.Kind.PROPERTY, region=community)
    person = f.PersonFactory(code=f"{prefix}-P", name=f"{prefix}经办人", region=community, unit=unit)
    point = f.PointFactory(code=f"{prefix}-PT", name=f"{prefix}小区", grid=grid, primary_unit=unit,
                           point_type=point_type, lon=lon, lat=lat)
    category = Category.objects.get(code="XC01")
    photo = accept_photo(_jpeg(color), filename=f"{prefix}.jpg", by=street_admin)
    case = cases.report_case(by=street_admin, source="inspection", category=category, description="督查发现",
                             grid=grid, lon=lon, lat=lat, photos=[photo])
    report = public.submit_report(category=category, description="居民反映", lon=lon, lat=lat,
                                  device=f"device-{prefix}")
    from chuangcheng.hotline import services as hotline

    order, _created = hotline.receive_order(
        hotline.Incoming(number=f"{prefix}-GD1", request="热线反映", received_at=clock.now(), lon=lon, lat=lat),
        street=street, source="excel")
    if works_for is not None:
        cases.accept_case(case, by=street_admin)
        cases.dispatch_case(case, by=street_admin, unit=works_for)
        cases.accept_case(order.case, by=street_admin)
        cases.dispatch_case(order.case, by=street_admin, unit=works_for)
    task = tasklists.create_task(by=street_admin, street=street, title=f"{prefix}任务", unit=works_for or unit,
                                 due_on=TODAY + dt.timedelta(days=28), regions=[community])
    held = None
    if meeting:
        # The street's published bulletin of DAY and ranking of WEEK.
        from chuangcheng.reports.services import bulletins, rankings

        bulletins.publish_bulletin(bulletins.draft_bulletin(street, dt.date.fromisoformat(DAY), by=street_admin),
                                   by=street_admin)
        rankings.publish_ranking(rankings.compute_ranking(street, MONDAY), by=street_admin)
        held = tasklists.record_meeting(by=street_admin, street=street,
                                        held_at=clock.now() - dt.timedelta(days=2),
                                        title="推进会", place="会议室", chair="主任", units=[unit])
        from chuangcheng.materials import services as materials

        material = materials.file_material(
            street, by=street_admin, item=f.MaterialsItemFactory(code=f"{prefix}-DOC"), kind="regulation",
            title="实施方案", dated_on=TODAY - dt.timedelta(days=30),
            upload=SimpleUploadedFile("plan.jpg", _jpeg("white"), content_type="image/jpeg"))
    action = volunteering.plan_action(
        by=street_admin, kind=Action.Kind.PERSUASION, title="劝导乱停车", community=community,
        place_name=f"{prefix}广场", lon=lon, lat=lat, starts_at=SOON,
        ends_at=SOON + dt.timedelta(hours=2), capacity=10, targets=["parking"])
    item = publicity.register_item(point, by=street_admin, kind="poster", theme="讲文明树新风", count=1,
                                   put_up_on=TODAY - dt.timedelta(days=2),
                                   photo=_upload(f"{prefix}-poster.jpg", "green"))
    Webhook.objects.create(name=f"{prefix}群", kind=Webhook.Kind.WECOM, region=grid,
                           url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test")
    push = publicity.push_message(by=street_admin, title="创城提示", text="请勿乱停车", grids=[grid],
                                  image=_upload(f"{prefix}-push.jpg", "yellow"))
    survey = surveys.create_survey(region=community, by=street_admin, title="满意度调查")
    question = surveys.add_question(survey, by=street_admin, text="您满意吗？", options=["满意", "不满意"])
    place = Place(community, street, grid, unit, person, point, case, photo.sha256, report, task, held, action,
                  item, push, (survey, question.code, question.options.first().code),
                  material if meeting else None)
    place.order = order
    if meeting:
        place.round = _finished_round(street, point)
    from chuangcheng.cases.models import SupervisionNotice

    place.notice = SupervisionNotice.objects.create(street=street, year=TODAY.year, number=1, unit=works_for or unit,
                                                    day=TODAY, reply_by=TODAY + dt.timedelta(days=2))
    place.notice.cases.add(case)
    return place


def _finished_round(street: Region, point: Point) -> Any:
    """A finished mock assessment round with one drawn point and an (empty) frozen report."""
    from chuangcheng.assessment.models import RoundPoint

    report = {"street": {"code": street.code, "name": street.name}, "round": 1, "title": "", "seed": 7,
              "catalog": 1, "team_kind": "street", "sample": [], "items": [], "lost": [], "previous": None,
              "finished_at": clock.now().isoformat(), "predicted": {"field_points": "0", "score": None},
              "overall": {"score": "0", "points": "0", "rate": None, "previous_rate": None, "change": None}}
    round = f.RoundFactory(street=street, number=1, state="finished", report=report, finished_at=clock.now())
    RoundPoint.objects.create(round=round, point=point, point_type=point.point_type, position=1)
    return round


@pytest.fixture
def world(cast: Any, media: Any) -> World:
    street2 = f.street(cast.district, code="150103002", name="环河街街道")
    community_c = f.community(street2, code="150103002001", name="丙社区", boundary=f.square(111.800, 40.820, 0.01))
    grid_c = f.grid(community_c, code="150103002001-01", name="丙一网格", boundary=f.square(111.800, 40.820))
    street2_admin = f.UserFactory(username="street2_admin", role=Role.STREET_ADMIN, scope=street2, is_staff=True)
    point_type = f.PointTypeFactory(code="ROAD_MAIN", name="主次干道")
    unit_a = f.UnitFactory(code="A-U", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    handler_person = f.PersonFactory(code="A-P", name="甲经办人", region=cast.community_a, unit=unit_a)
    handler_a = f.UserFactory(username="handler_a", role=Role.UNIT_HANDLER, scope=cast.community_a,
                              person=handler_person)
    # The street's squad serves every community; a handler of it scoped in community A (as a
    # community admin could once mint one) must still not reach its work in community B.
    squad = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    squad_person = f.PersonFactory(code="CG-A", name="城管甲社区", region=cast.community_a, unit=squad)
    squad_handler_a = f.UserFactory(username="squad_handler_a", role=Role.UNIT_HANDLER, scope=cast.community_a,
                                    person=squad_person)
    return World(
        other_community=_place(community=cast.community_b, grid=cast.grid_b, street_admin=cast.street_admin,
                               prefix="B", lon=111.700, lat=40.820, point_type=point_type, color="red",
                               meeting=False, works_for=squad),
        other_street=_place(community=community_c, grid=grid_c, street_admin=street2_admin, prefix="C",
                            lon=111.800, lat=40.820, point_type=point_type, color="blue", meeting=True),
        actors={"street_admin": cast.street_admin, "street2_admin": street2_admin, "admin_a": cast.admin_a,
                "grid_worker_a": cast.grid_worker_a, "handler_a": handler_a, "squad_handler_a": squad_handler_a},
    )


# (actor, object): each actor against the objects outside their scope.
PAIRS = [
    ("street_admin", "other_street"),
    ("street2_admin", "other_community"),
    ("admin_a", "other_community"), ("admin_a", "other_street"),
    ("grid_worker_a", "other_community"), ("grid_worker_a", "other_street"),
    ("handler_a", "other_community"), ("handler_a", "other_street"),
    ("squad_handler_a", "other_community"), ("squad_handler_a", "other_street"),
]

# --- the routes ----------------------------------------------------------------------------------

Spec = Callable[[Place], "dict[str, Any] | None"]  # URL kwargs for the place's object; None: no such object


def _street_only(build: Spec) -> Spec:
    """Street-level objects (bulletins, rankings, meetings) exist only for the other street."""
    return lambda p: build(p) if p.meeting is not None else None




def _question(p: Place) -> dict[str, Any]:
    return {"survey_code": p.survey[0].code, "code": p.survey[1]}


OBJECT_ROUTES: dict[str, Spec] = {
    "org:region": lambda p: {"code": p.community.code},
    "org:unit": lambda p: {"code": p.unit.code},
    "org:person": lambda p: {"code": p.person.code},
    "places:detail": lambda p: {"code": p.point.code},
    "places:edit": lambda p: {"code": p.point.code},
    "places:photo_upload": lambda p: {"code": p.point.code},
    "places:qr": lambda p: {"code": p.point.code},
    "places:qr_svg": lambda p: {"code": p.point.code},
    "places:qr_png": lambda p: {"code": p.point.code},
    "cases:detail": lambda p: {"number": p.case.number},
    "cases:rectify": lambda p: {"number": p.case.number},
    "cases:act": lambda p: {"number": p.case.number, "action": "accept"},
    "cases:photo": lambda p: {"number": p.case.number, "sha256": p.photo, "variant": "display"},
    "cases:notice_docx": lambda p: {"code": p.notice.code},
    "inspections:inspect": lambda p: {"code": p.point.code},
    "reports:community": lambda p: {"code": p.community.code},
    "reports:unit": lambda p: {"code": p.unit.code},
    "reports:bulletin": _street_only(lambda p: {"street": p.street.code, "day": DAY}),
    "reports:bulletin_docx": _street_only(lambda p: {"street": p.street.code, "day": DAY}),
    "reports:bulletin_refresh": _street_only(lambda p: {"street": p.street.code, "day": DAY}),
    "reports:bulletin_publish": _street_only(lambda p: {"street": p.street.code, "day": DAY}),
    "reports:issuing": _street_only(lambda p: {"street": p.street.code}),
    "reports:ranking_weeks": _street_only(lambda p: {"street_code": p.street.code}),
    "reports:ranking_rules": _street_only(lambda p: {"street_code": p.street.code}),
    "reports:ranking": _street_only(lambda p: {"street_code": p.street.code, "week": WEEK}),
    "reports:ranking_compute": _street_only(lambda p: {"street_code": p.street.code, "week": WEEK}),
    "reports:ranking_publish": _street_only(lambda p: {"street_code": p.street.code, "week": WEEK}),
    "reports:ranking_export": _street_only(lambda p: {"street_code": p.street.code, "week": WEEK}),
    "reports:ranking_docx": _street_only(lambda p: {"street_code": p.street.code, "week": WEEK}),
    "public:triage_action": lambda p: {"code": p.report.code, "action": "accept"},
    "hotline:detail": lambda p: {"number": p.order.number},
    "hotline:step": lambda p: {"number": p.order.number, "action": "sign"},
    "public:moderate": lambda p: {"code": p.report.code},
    "publicity:point": lambda p: {"code": p.point.code},
    "tasklists:detail": lambda p: {"number": p.task.number},
    "tasklists:act": lambda p: {"number": p.task.number, "action": "progress"},
    "tasklists:meeting": lambda p: {"number": p.meeting.number} if p.meeting else None,
    **{f"volunteering:{name}": (lambda p: {"code": p.action.code}) for name in (
        "detail", "signup", "withdraw", "checkin", "roster", "checkin_for", "close", "cancel")},
    "volunteering:qr": lambda p: {"code": p.action.code, "fmt": "svg"},
    "publicity:push": lambda p: {"number": p.push.number},
    **{f"surveys:{name}": (lambda p: {"survey_code": p.survey[0].code}) for name in (
        "detail", "builder", "builder_settings", "builder_add_question", "preview", "publish", "close", "results",
        "trend", "export")},
    "surveys:builder_question": lambda p: _question(p),
    "surveys:builder_add_option": lambda p: _question(p),
    "surveys:builder_question_action": lambda p: {**_question(p), "action": "delete"},
    "surveys:builder_option": lambda p: {**_question(p), "option": p.survey[2]},
    "surveys:builder_option_action": lambda p: {**_question(p), "option": p.survey[2], "action": "delete"},
    "publicity:item_take_down": lambda p: {"code": p.item.code},
    "publicity:item_photo": lambda p: {"code": p.item.code, "variant": "display"},
    "volunteering:correct_hours": lambda p: {"code": p.action.code, "person": p.person.code},
    **{f"assessment:{name}": _street_only(lambda p: {"street": p.street.code, "number": p.round.number})
       for name in ("detail", "assign", "report", "report_docx", "report_json")},
    "assessment:act": _street_only(lambda p: {"street": p.street.code, "number": p.round.number,
                                              "action": "cancel"}),
    "assessment:record": _street_only(lambda p: {"street": p.street.code, "number": p.round.number,
                                                 "position": 1}),
    **{f"materials:{name}": _street_only(lambda p: {"street": p.street.code}) for name in (
        "archive", "assessment_date", "export")},
    "materials:item": lambda p: {"street": p.street.code, "code": p.material.item_code} if p.material else None,
    **{f"materials:{name}": (lambda p: {"street": p.street.code, "number": p.material.number} if p.material else None)
       for name in ("file", "withdraw")},
}

# Routes that name no object of a region (lists, forms and dashboards scoped by the query layer, the
# user's own pages), that are public by design, or whose object is not regional (the catalogue).
NO_OBJECT = {
    # sign-in, the account, languages, health, the home page
    "", "login", "logout", "account", "password_change", "set_language", "javascript-catalog",
    "web:home", "web:healthz", "web:readyz", "web:metrics", "web:import", "web:import_template", "web:audit",
    # the installable app: public files (manifest, icons, worker) and pages drawn from the browser's
    # own queue; the day's pages to keep are the user's own plan (tests/web/test_pwa.py)
    "web:service_worker", "web:manifest", "web:icon_svg", "web:icon", "web:offline", "web:queue",
    "inspections:offline_pages",
    # a background export: its owner's only, by an unguessable token; anyone else gets 404
    # (tests/inspections/test_background_export.py)
    "exports:page", "exports:status", "exports:download",
    # lists and new-object forms: what they show is scoped in queries.py (tests per app)
    "org:regions", "org:units", "org:people", "places:list", "places:map", "places:new",
    "cases:list", "cases:new", "cases:export", "cases:save_view",
    # the escalation ladder: the street admin's own street's rules, lists scoped by the cases they show
    # (tests/cases/test_escalation_ladder.py)
    "cases:escalation_rules", "cases:notices", "cases:talks", "cases:referrals",
    "inspections:today", "inspections:board", "inspections:rules", "inspections:make_plan",
    "inspections:add_visit", "inspections:history", "inspections:coverage", "inspections:export",
    "notify:inbox", "notify:read_all",
    "reports:overview", "reports:wall", "reports:map", "reports:bulletins", "reports:bulletin_draft",
    "reports:rankings",
    "tasklists:list", "tasklists:mine", "tasklists:new", "tasklists:by_unit", "tasklists:export",
    "tasklists:meetings", "tasklists:meeting_new",
    "volunteering:list", "volunteering:new", "volunteering:mine", "volunteering:participation",
    "volunteering:export",
    "publicity:index", "publicity:pushes", "publicity:push_new", "publicity:points", "publicity:visits",
    "publicity:visit_new", "publicity:coverage", "publicity:export",
    "surveys:list", "surveys:create", "surveys:visits",
    "materials:index",  # the reader's streets (tests/materials/test_pages.py)
    "open311:keys",
    # the hotline's list (scoped by hotline.queries) and the street office's import and export
    "hotline:index", "hotline:import", "hotline:export",
    "public:triage", "public:moderation", "public:block", "public:points",
    # the case number comes in the form; a case outside the scope is "no case has this number"
    "public:publish",
    # public by design: residents' pages (tests/public/test_internal_cases.py), Open311, survey answers
    "public:report", "public:nearby", "public:sms_code", "public:follow", "public:lookup", "public:track",
    "public:answer", "public:verify_phone", "public:erase", "public:photo", "public:photo_sized",
    # the report page's map: the public street's outlines and names only (tests/public/test_report_area.py)
    "public:area",
    # the reporter's rating: their device or verified phone, or the signed link (tests/public/test_rating.py)
    "public:rate", "public:rate_link",
    "open311:discovery", "open311:services", "open311:service", "open311:requests", "open311:request",
    "open311:token", "open311:updates", "open311:",
    "survey_answer:answer", "survey_answer:thanks",
    "publicity:push_image",  # the image a push sent to residents' groups links to
    # the assessment catalogue is one for the whole district, not a region's
    "standards:catalog", "standards:type", "standards:draft_start", "standards:version", "standards:compare",
    "standards:version_type", "standards:profile_edit", "standards:item_new", "standards:item_edit",
    "standards:item_delete", "standards:publish", "standards:discard", "standards:assessment_new",
    "standards:assessment_edit", "standards:assessment_delete",
    # mock assessment rounds: the list is scoped in assessment/queries.py, the form draws in the user's streets
    "assessment:rounds", "assessment:new",
    # problem lists from above: the list is scoped in problems/queries.py, entering needs the street office
    "problems:lists", "problems:template", "problems:import", "problems:new",
}

# Routes that name an object this test does not build yet: each needs its own factory here. Until
# then their scope is covered by the app's own tests (named), not by this matrix.
DEFERRED = {
    "cases:delete_view": "a user's own saved view (tests/cases/test_saved_views.py)",
    "notify:open": "a user's own notification (tests/notify)",
    "places:photo": "a point photo (tests/places)",
    "places:photo_thumbnail": "a point photo's thumbnail (tests/evidence/test_thumbnails.py)",
    "reports:bulletin_photo": "a photo a bulletin shows (tests/reports/test_bulletin_pages.py)",
    "inspections:move_visit": "a plan's visit (tests/inspections)",
    "inspections:remove_visit": "a plan's visit (tests/inspections)",
    "inspections:detail": "an inspection (tests/inspections)",
    "inspections:old_detail": "an inspection's old numeric link (tests/inspections)",
    "inspections:photo": "an inspection photo (tests/inspections)",
    "tasklists:meeting_photo": "a meeting photo (tests/engagement/tasklists)",
    "tasklists:photo": "a task photo (tests/engagement/tasklists)",
    "volunteering:photo": "a volunteer action's photo (tests/engagement/volunteering)",
    **{f"surveys:{name}": "a published survey's link (tests/surveys)" for name in ("qr", "qr_svg", "qr_png", "visit")},
    "assessment:photo": "a photo of a round's lost point (tests/assessment/test_visibility.py)",
    **{f"problems:{name}": "a problem list from above (tests/problems/test_pages.py)"
       for name in ("detail", "report", "dispatch")},
}

# The API: every operation of the OpenAPI document, by its path template.
API_OBJECTS: dict[str, Spec] = {
    "/api/org/regions/{code}": lambda p: {"code": p.community.code},
    "/api/org/units/{code}": lambda p: {"code": p.unit.code},
    "/api/points/{code}": lambda p: {"code": p.point.code},
    "/api/cases/{number}": lambda p: {"number": p.case.number},
    "/api/cases/{number}/photos/{sha256}": lambda p: {"number": p.case.number, "sha256": p.photo},
    **{f"/api/cases/{{number}}/{action}": (lambda p: {"number": p.case.number}) for action in (
        "accept", "reject", "dispatch", "redispatch", "send-back", "start", "rectify", "verify", "rework",
        "request-extension", "decide-extension", "suspend", "resume", "reopen", "close-again",
        "refer", "answer-referral")},
    "/api/inspections/points/{code}/checklist": lambda p: {"code": p.point.code},
    "/api/tasks/meetings/{number}": lambda p: {"number": p.meeting.number} if p.meeting else None,
    "/api/tasks/{number}": lambda p: {"number": p.task.number},
    **{f"/api/tasks/{{number}}/{action}": (lambda p: {"number": p.task.number}) for action in (
        "progress", "submit", "verify", "send-back", "cancel")},
    "/api/publicity/points/{code}/items": lambda p: {"code": p.point.code},
    "/api/publicity/pushes/{number}": lambda p: {"number": p.push.number},
    **{f"/api/surveys/{{code}}{rest}": (lambda p: {"code": p.survey[0].code}) for rest in (
        "", "/indicators", "/trend", "/responses")},
    **{f"/api/volunteering/actions/{{code}}{rest}": (lambda p: {"code": p.action.code}) for rest in (
        "", "/signup", "/checkin", "/checkout", "/checkout/undo")},
    "/api/hotline/{number}": lambda p: {"number": p.order.number},
    **{f"/api/hotline/{{number}}/{action}": (lambda p: {"number": p.order.number}) for action in (
        "sign", "answer", "finish", "return", "request_extension", "decide_extension", "record_callback")},
}
API_NO_OBJECT = {
    "/api/auth/token", "/api/org/regions", "/api/org/units", "/api/points", "/api/cases", "/api/cases/categories",
    "/api/inspections/plan", "/api/inspections", "/api/tasks/meetings", "/api/tasks", "/api/volunteering/actions",
    "/api/volunteering/me/hours", "/api/publicity/pushes", "/api/publicity/visits", "/api/publicity/coverage",
    "/api/surveys/", "/api/catalog/", "/api/catalog/versions", "/api/catalog/types/{code}",
    "/api/auth/tokens",  # the caller's own tokens
    "/api/hotline",  # the orders whose case the caller sees (hotline.queries)
    "/api/problems",  # the lists of the streets the caller reads (problems.queries)
}
API_DEFERRED = {
    "/api/auth/tokens/{prefix}": ("one of the caller's own tokens, looked up among them only "
                                  "(tests/api/test_api.py: another login's token is 404)"),
    "/api/inspections/{key}": "an inspection (tests/inspections/test_api.py)",
    "/api/problems/{code}": "a problem list from above (tests/problems/test_api.py)",
    "/api/tasks/{number}/photos/{sha256}": "a task photo (tests/engagement/tasklists/test_api.py)",
}


def url_patterns() -> Iterator[tuple[str, URLPattern]]:
    """(namespaced name, pattern) of every route outside the Django admin and the API (the API is
    walked through its OpenAPI document, with its methods)."""

    def walk(resolver: URLResolver, namespace: str) -> Iterator[tuple[str, URLPattern]]:
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                if item.app_name in {"admin", "api"} or item.namespace in {"admin", "api"}:
                    continue
                inner = f"{namespace}:{item.namespace}" if namespace and item.namespace else (
                    item.namespace or namespace)
                yield from walk(item, inner or "")
            else:
                yield (f"{namespace}:{item.name or ''}" if namespace else (item.name or "")), item

    yield from walk(get_resolver(), "")


def api_schema() -> dict[str, Any]:
    from chuangcheng.api.api import api

    return dict(api.get_openapi_schema())


def api_operations() -> dict[str, list[str]]:
    return {path: sorted(ops) for path, ops in api_schema()["paths"].items()}


SAMPLES = {"string": "x", "integer": 1, "number": 1.5, "boolean": True}


def sample_body(schema: dict[str, Any], operation: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A body that passes the operation's schema (its required fields filled with plausible values),
    so the request reaches the view and the scope is what refuses it, not the validation."""
    body = operation.get("requestBody")
    if not body:
        return "application/json", {}
    content_type, content = next(iter(body["content"].items()))
    shape = content["schema"]
    if "$ref" in shape:
        shape = schema["components"]["schemas"][shape["$ref"].rsplit("/", 1)[-1]]
    values: dict[str, Any] = {}
    for name in shape.get("required", []):
        prop = shape["properties"][name]
        kind = prop.get("type") or next((o.get("type") for o in prop.get("anyOf", []) if o.get("type") != "null"),
                                        "string")
        fmt = prop.get("format") or next((o.get("format") for o in prop.get("anyOf", []) if o.get("format")), "")
        if prop.get("enum"):
            values[name] = prop["enum"][0]
            continue
        values[name] = f"{TODAY + dt.timedelta(days=28)}T17:00:00+08:00" if fmt == "date-time" else (
            (TODAY + dt.timedelta(days=28)).isoformat() if fmt == "date" else SAMPLES.get(kind, "x"))
    return content_type, values


def test_every_route_is_listed() -> None:
    names = {name for name, _p in url_patterns()}
    listed = set(OBJECT_ROUTES) | NO_OBJECT | set(DEFERRED)
    assert sorted(names - listed) == [], "new routes: say how their scope is kept (OBJECT_ROUTES, NO_OBJECT…)"
    assert sorted(listed - names) == [], "routes listed here that no longer exist"
    paths = set(api_operations())
    api_listed = set(API_OBJECTS) | API_NO_OBJECT | set(API_DEFERRED)
    assert sorted(paths - api_listed) == [], "new API operations: say how their scope is kept"
    assert sorted(api_listed - paths) == [], "API operations listed here that no longer exist"


# --- the matrix ----------------------------------------------------------------------------------


def fingerprint() -> dict[str, int]:
    """How many rows each table has, and the last audit event: a request that refuses changes none."""
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.managed}
    counts["last audit event"] = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return counts


def state_of(place: Place) -> tuple[Any, ...]:
    case = Case.objects.get(pk=place.case.pk)
    task = Task.objects.get(pk=place.task.pk)
    action = Action.objects.get(pk=place.action.pk)
    return (case.state, case.version, case.public, task.state, task.version, action.status,
            Point.objects.get(pk=place.point.pk).name, Region.objects.get(pk=place.community.pk).name)


REFUSED = {403, 404}


@pytest.mark.parametrize(("actor", "where"), PAIRS, ids=[f"{a}×{w}" for a, w in PAIRS])
def test_no_route_reaches_an_object_outside_the_scope(world: World, actor: str, where: str) -> None:
    from django.urls import reverse

    place: Place = getattr(world, where)
    client = Client(raise_request_exception=False)
    client.force_login(world.actors[actor])
    before, state = fingerprint(), state_of(place)
    leaks = []
    for name, spec in OBJECT_ROUTES.items():
        kwargs = spec(place)
        if kwargs is None:
            continue
        url = reverse(name, kwargs=kwargs)
        answers = {"GET": client.get(url).status_code, "POST": client.post(url, {}).status_code}
        if not all(s in REFUSED | {405} for s in answers.values()) or not REFUSED & set(answers.values()):
            leaks.append(f"{name} {url} {answers}")
    schema = api_schema()
    for path, operations in schema["paths"].items():
        api_spec = API_OBJECTS.get(path)
        kwargs = api_spec(place) if api_spec else None
        if kwargs is None:
            continue
        url = path.format(**kwargs)
        for method, operation in operations.items():
            if method == "get":
                status = client.get(url).status_code
            else:
                content_type, values = sample_body(schema, operation)
                if content_type == "application/json":
                    status = client.generic(method.upper(), url, json.dumps(values), content_type).status_code
                else:
                    status = client.post(url, values).status_code
            if status not in REFUSED:
                leaks.append(f"{method.upper()} {url} {status}")
    assert leaks == []
    assert fingerprint() == before
    assert state_of(place) == state


@pytest.mark.parametrize("where", ["other_community", "other_street"])
def test_the_same_requests_reach_the_objects_for_their_own_street_admin(world: World, where: str) -> None:
    """The control: the URLs above name real objects (a refusal is the scope's, not a typo's)."""
    from django.urls import reverse

    place: Place = getattr(world, where)
    owner = world.actors["street_admin" if where == "other_community" else "street2_admin"]
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    missing = []
    for name, spec in OBJECT_ROUTES.items():
        kwargs = spec(place)
        if kwargs is None:
            continue
        status = client.get(reverse(name, kwargs=kwargs)).status_code
        if status in REFUSED:
            missing.append(f"{name} {status}")
    for path, operations in api_operations().items():
        api_spec = API_OBJECTS.get(path)
        kwargs = api_spec(place) if api_spec else None
        if kwargs is not None and "get" in operations:
            status = client.get(path.format(**kwargs)).status_code
            if status in REFUSED:
                missing.append(f"GET {path} {status}")
    assert missing == [], missing
