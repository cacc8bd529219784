"""A published bulletin goes to the units and communities it names: their handlers and grid workers
read it (and its photos), their handlers and community admins find it in their inbox, their home
shows it, and the street's (and the named units') group robots get a 通报 summary with the link.
Drafts stay with the street's admins.

The scene (tests/reports/bulletin_scene.py) publishes the bulletin of 3 June 2026; composed as it is
there it names 甲物业 and 城管中队 by their overdue cases, and both communities. A snapshot that says
what it names (content["named"]) is written here by hand."""

from __future__ import annotations

import pytest
import time_machine

from chuangcheng.notify.models import Channel, Message, Webhook
from chuangcheng.org.models import Role
from chuangcheng.reports.distribution import named_of
from chuangcheng.reports.models import Bulletin
from chuangcheng.reports.services import bulletins as services
from chuangcheng.reports.services.bulletins import draft_bulletin, publish_bulletin
from tests import factories as f
from tests.conftest import client_for
from tests.reports.bulletin_scene import DAY, EVENING, build

URL = "/reports/bulletins/150103001/2026-06-03/"


@pytest.fixture
def scene(cast, media):
    return build(cast)


@pytest.fixture
def draft(scene):
    with time_machine.travel(EVENING, tick=False):
        return draft_bulletin(scene.cast.street, DAY)


@pytest.fixture
def published(draft):
    with time_machine.travel(EVENING, tick=False):
        return publish_bulletin(draft, by=None)


def handler_of(unit, username, *, active=True):
    person = f.PersonFactory(code=f"P-{username}", name=f"{unit.name}经办人", region=unit.region, unit=unit)
    return f.UserFactory(username=username, role=Role.UNIT_HANDLER, scope=unit.region, person=person,
                         is_active=active)


@pytest.fixture
def stranger(cast):
    """The handler of a unit no bulletin here names."""
    return handler_of(f.UnitFactory(code="WY-B", name="乙物业", region=cast.community_b), "stranger")


@pytest.fixture
def squad_handler(scene):
    return handler_of(scene.squad, "squad_handler")


def names_only(bulletin, *, units, communities):
    """The bulletin as a snapshot that lists what it names."""
    content = {**bulletin.content, "named": {"units": units, "communities": communities}}
    Bulletin.objects.filter(pk=bulletin.pk).update(content=content)


def get(user, url=URL):
    with time_machine.travel(EVENING, tick=False):
        return client_for(user).get(url)


# --- what a bulletin names ----------------------------------------------------------------------


def test_a_snapshot_names_what_it_lists_or_else_its_overdue_units_and_every_community():
    listed = {"named": {"units": ["CG"], "communities": ["C2"]},
              "overdue_by_unit": [{"unit": "WY-A"}], "communities": [{"code": "C1"}]}
    assert named_of(listed) == ({"CG"}, {"C2"})
    older = {"overdue_by_unit": [{"unit": "WY-A", "count": 2}], "communities": [{"code": "C1"}, {"code": "C2"}]}
    assert named_of(older) == ({"WY-A"}, {"C1", "C2"})
    assert named_of({}) == (set(), set())


# --- reading ------------------------------------------------------------------------------------


def test_a_handler_of_a_named_unit_reads_the_published_bulletin_and_its_photos(scene, published):
    photo = scene.photos["C1-before"]
    assert get(scene.handler).status_code == 200
    assert get(scene.handler, f"{URL}photos/{photo.sha256}/display/").status_code == 200
    assert get(scene.handler, URL + "bulletin.docx").status_code == 200
    listing = get(scene.handler, "/reports/bulletins/").content.decode()
    assert 'data-day="2026-06-03"' in listing and 'id="draft-bulletin"' not in listing


def test_the_menu_leads_handlers_and_grid_workers_to_their_bulletins(scene):
    menu_link = '<li><a href="/reports/bulletins/">'
    assert menu_link in get(scene.handler, "/").content.decode()
    assert menu_link in get(scene.cast.grid_worker_a, "/").content.decode()


def test_a_handler_of_another_unit_neither_reads_nor_lists_it(scene, published, stranger):
    photo = scene.photos["C1-before"]
    assert get(stranger).status_code == 403
    assert get(stranger, f"{URL}photos/{photo.sha256}/display/").status_code == 403
    listing = get(stranger, "/reports/bulletins/")
    assert listing.status_code == 200 and 'data-day="2026-06-03"' not in listing.content.decode()


def test_a_snapshot_that_names_other_units_is_not_for_the_handler(scene, published, squad_handler):
    names_only(published, units=["CG"], communities=["150103001002"])
    assert get(scene.handler).status_code == 403
    assert 'data-day="2026-06-03"' not in get(scene.handler, "/reports/bulletins/").content.decode()
    assert get(squad_handler).status_code == 200


def test_grid_workers_read_what_names_their_community(scene, published):
    worker = scene.cast.grid_worker_a
    assert get(worker).status_code == 200
    names_only(published, units=["CG"], communities=["150103001002"])
    assert get(worker).status_code == 403
    names_only(published, units=["CG"], communities=["150103001001"])
    assert get(worker).status_code == 200


def test_nobody_but_the_streets_admins_reads_a_draft(scene, draft, squad_handler):
    cast = scene.cast
    assert get(cast.street_admin).status_code == 200
    for user in (scene.handler, squad_handler, cast.grid_worker_a, cast.admin_a, cast.leader, scene.inspector):
        assert get(user).status_code == 403, user.username
        assert 'data-day="2026-06-03"' not in get(user, "/reports/bulletins/").content.decode()
    photo = scene.photos["C1-before"]
    assert get(scene.handler, f"{URL}photos/{photo.sha256}/display/").status_code == 403


def test_a_handler_without_a_unit_has_no_bulletins(scene, published):
    loose = f.UserFactory(username="loose", role=Role.UNIT_HANDLER, scope=scene.cast.street)
    assert get(loose).status_code == 403
    assert get(loose, "/reports/bulletins/").status_code == 403


# --- sending ------------------------------------------------------------------------------------


def inbox_targets():
    return sorted(int(m.target) for m in Message.objects.filter(channel=Channel.INBOX, key__startswith="bulletin:"))


def test_publishing_tells_the_named_units_handlers_and_communities_admins(scene, squad_handler, stranger):
    cast = scene.cast
    gone = handler_of(scene.prop, "gone", active=False)
    with time_machine.travel(EVENING, tick=False):
        publish_bulletin(draft_bulletin(cast.street, DAY), by=cast.street_admin)
    assert inbox_targets() == sorted([scene.handler.pk, squad_handler.pk, cast.admin_a.pk, cast.admin_b.pk])
    assert gone.pk not in inbox_targets() and stranger.pk not in inbox_targets()
    message = Message.objects.get(channel=Channel.INBOX, target=str(scene.handler.pk), key__startswith="bulletin:")
    assert message.payload["link"] == URL and "第1期" in message.title


def test_a_snapshot_that_lists_what_it_names_is_sent_to_those_only(scene, squad_handler, monkeypatch):
    cast = scene.cast
    compose = services.compose_bulletin

    def naming_the_squad_and_b(street, day, **kwargs):
        return {**compose(street, day, **kwargs), "named": {"units": ["CG"], "communities": ["150103001002"]}}

    monkeypatch.setattr(services, "compose_bulletin", naming_the_squad_and_b)
    with time_machine.travel(EVENING, tick=False):
        publish_bulletin(draft_bulletin(cast.street, DAY), by=cast.street_admin)
    assert inbox_targets() == sorted([squad_handler.pk, cast.admin_b.pk])


def test_the_named_units_robots_get_the_summary_with_the_link(scene, settings):
    settings.PUBLIC_BASE_URL = "https://cc.example.cn"
    cast = scene.cast
    street_robot = Webhook.objects.create(name="街道创城群", kind=Webhook.Kind.WECOM, region=cast.street,
                                          url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    unit_robot = Webhook.objects.create(name="甲物业群", kind=Webhook.Kind.DINGTALK, unit=scene.prop,
                                        url="https://oapi.dingtalk.com/robot/send?access_token=x")
    other = f.UnitFactory(code="WY-B", name="乙物业", region=cast.community_b)
    Webhook.objects.create(name="乙物业群", kind=Webhook.Kind.DINGTALK, unit=other,
                           url="https://oapi.dingtalk.com/robot/send?access_token=y")
    with time_machine.travel(EVENING, tick=False):
        publish_bulletin(draft_bulletin(cast.street, DAY), by=cast.street_admin)
    robots = Message.objects.exclude(channel=Channel.INBOX).order_by("webhook_id")
    assert [m.webhook_id for m in robots] == [street_robot.pk, unit_robot.pk]
    message = robots[0]
    assert message.title == "光明路街道创建全国文明城市工作日通报（第1期，2026年6月3日）"
    assert "督查点位4个，发现问题3项，得分率90.0%。"  # the field score rate (测评内容) in message.body
    assert "新发现问题4件，已整改3件，已办结1件，逾期未整改3件。" in message.body
    assert "逾期未整改单位：甲物业2件、城管中队1件。" in message.body
    assert message.payload["link"] == "https://cc.example.cn" + URL


# --- the home page ------------------------------------------------------------------------------


def test_the_home_page_shows_a_named_unit_its_latest_bulletin(scene, published, stranger):
    html = get(scene.handler, "/").content.decode()
    assert 'id="latest-bulletins"' in html
    assert f'href="{URL}"' in html and "第 1 期" in html and "2026年6月3日" in html
    assert 'id="latest-bulletins"' not in get(stranger, "/").content.decode()


def test_the_home_page_shows_leaders_and_community_admins_the_published_ones_only(scene, draft):
    cast = scene.cast
    assert 'id="latest-bulletins"' not in get(cast.leader, "/").content.decode()
    with time_machine.travel(EVENING, tick=False):
        publish_bulletin(draft, by=None)
    for user in (cast.leader, cast.admin_b, cast.street_admin):
        assert f'href="{URL}"' in get(user, "/").content.decode(), user.username


def test_the_home_panel_reads_a_bounded_number_of_queries(scene, django_assert_max_num_queries):
    import datetime as dt

    with time_machine.travel(EVENING, tick=False):
        for n in range(8):
            publish_bulletin(draft_bulletin(scene.cast.street, DAY - dt.timedelta(days=n)), by=None)
    client = client_for(scene.handler)
    with time_machine.travel(EVENING, tick=False), django_assert_max_num_queries(30) as counted:
        html = client.get("/").content.decode()
    assert html.count('href="/reports/bulletins/150103001/') == 3
    with time_machine.travel(EVENING, tick=False):
        for n in range(8, 16):
            publish_bulletin(draft_bulletin(scene.cast.street, DAY - dt.timedelta(days=n)), by=None)
    with time_machine.travel(EVENING, tick=False), django_assert_max_num_queries(len(counted.captured_queries)):
        client.get("/")
