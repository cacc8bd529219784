"""Bulletin pages: who reads what (drafts only the street's admins; published ones also its leaders,
inspectors and community admins; another street's bulletins do not exist for them), the street
admin's refresh and publish, the Word download and the photos a bulletin lists."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from chuangcheng.org.models import Role
from chuangcheng.reports.models import Bulletin, Publication
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


@pytest.fixture
def other_admin(cast):
    other = f.street(cast.district, code="150103002", name="环河街道")
    return f.UserFactory(username="other_admin", role=Role.STREET_ADMIN, scope=other)


def get(user, url=URL):
    with time_machine.travel(EVENING, tick=False):
        return client_for(user).get(url)


def post(user, url, data=None):
    with time_machine.travel(EVENING, tick=False):
        return client_for(user).post(url, data or {})


def test_the_street_admin_sees_the_draft_with_refresh_and_publish(scene, draft):
    response = get(scene.cast.street_admin)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="publish-form"' in html and 'id="refresh-form"' in html and 'data-status="draft"' in html
    assert "光明路街道" in html


def test_every_figure_links_to_the_list_behind_it(scene, draft):
    html = get(scene.cast.street_admin).content.decode()
    assert 'href="/cases/?region=150103001&amp;overdue=1" data-figure="cases_overdue">3<' in html
    opened = "/cases/?region=150103001&amp;since=2026-06-03&amp;until=2026-06-03"
    assert f'href="{opened}" data-figure="cases_opened">4<' in html
    assert 'href="/inspections/history/?point=A1"' in html
    assert f'href="/cases/{scene.cases["O1"].number}/"' in html


def test_publishing_from_the_page_numbers_and_freezes(scene, draft):
    response = post(scene.cast.street_admin, URL + "publish/", {"remarks": "请对照整改"})
    assert response.status_code == 302 and response["Location"] == URL
    bulletin = Bulletin.objects.get()
    assert (bulletin.status, bulletin.number, bulletin.remarks) == (Publication.PUBLISHED, 1, "请对照整改")
    html = get(scene.cast.street_admin).content.decode()
    assert 'id="publish-form"' not in html and 'data-number="1"' in html and "请对照整改" in html
    before = bulletin.content
    post(scene.cast.street_admin, URL + "refresh/")
    post(scene.cast.street_admin, URL + "publish/", {"remarks": "again"})
    bulletin.refresh_from_db()
    assert bulletin.content == before and bulletin.remarks == "请对照整改"


def test_remarks_too_long_are_refused_with_a_message(scene, draft):
    response = post(scene.cast.street_admin, URL + "publish/", {"remarks": "长" * 4001})
    assert response.status_code == 302
    assert Bulletin.objects.get().status == Publication.DRAFT


def test_the_list_drafts_a_day_and_shows_status_and_number(scene, published):
    admin = scene.cast.street_admin
    response = post(admin, "/reports/bulletins/draft/", {"street": "150103001", "day": "2026-06-02"})
    assert response.status_code == 302
    html = get(admin, "/reports/bulletins/").content.decode()
    rows = re.findall(r'data-day="([\d-]+)" data-kind="daily" data-status="(\w+)"', html)
    assert rows == [("2026-06-03", "published"), ("2026-06-02", "draft")]
    assert post(admin, "/reports/bulletins/draft/", {"street": "150103001", "day": "junk"}).status_code == 302
    assert post(admin, "/reports/bulletins/draft/", {"street": "150103001", "day": "2026-06-09"}).status_code == 302
    assert Bulletin.objects.count() == 2


def test_community_admins_read_only_published_bulletins(scene, draft):
    admin_a = scene.cast.admin_a
    assert get(admin_a).status_code == 403
    assert 'data-status' not in get(admin_a, "/reports/bulletins/").content.decode()
    with time_machine.travel(EVENING, tick=False):
        publish_bulletin(draft, by=None)
    response = get(admin_a)
    assert response.status_code == 200 and 'id="publish-form"' not in response.content.decode()
    assert post(admin_a, URL + "refresh/").status_code == 403


def test_leaders_and_inspectors_read_published_ones(scene, published):
    assert get(scene.cast.leader).status_code == 200
    assert get(scene.inspector).status_code == 200


def test_leaders_do_not_read_drafts(scene, draft):
    assert get(scene.cast.leader).status_code == 403


def test_another_streets_bulletin_does_not_exist_for_them(scene, published, other_admin):
    assert get(other_admin).status_code == 404
    assert get(other_admin, URL + "bulletin.docx").status_code == 404
    assert post(other_admin, URL + "publish/").status_code == 404


@pytest.fixture
def stranger(cast):
    """A handler of a unit the bulletin does not name (tests/reports/test_distribution.py has the others)."""
    unit = f.UnitFactory(code="WY-B", name="乙物业", region=cast.community_b)
    person = f.PersonFactory(code="H2", name="乙物业经办人", region=cast.street, unit=unit)
    return f.UserFactory(username="stranger", role=Role.UNIT_HANDLER, scope=cast.street, person=person)


def test_handlers_of_units_it_does_not_name_are_refused(scene, published, stranger):
    assert get(stranger).status_code == 403
    assert 'data-status' not in get(stranger, "/reports/bulletins/").content.decode()


def test_a_bad_date_or_missing_bulletin_is_not_found(scene, draft):
    admin = scene.cast.street_admin
    assert get(admin, "/reports/bulletins/150103001/2026-02-30/").status_code == 404
    assert get(admin, "/reports/bulletins/150103001/2026-06-01/").status_code == 404


def test_the_word_download(scene, published):
    response = get(scene.cast.leader, URL + "bulletin.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "bulletin-150103001-2026-06-03-1.docx" in response["Content-Disposition"]
    assert response.content[:2] == b"PK"


def test_readers_open_exactly_the_photos_the_bulletin_lists(scene, published, stranger):
    listed = scene.photos["C1-before"]
    not_listed = scene.photos["C3-after"]
    reader = scene.cast.admin_b
    assert get(reader, f"{URL}photos/{listed.sha256}/display/").status_code == 200
    assert get(reader, f"{URL}photos/{listed.sha256}/original/").status_code == 404
    assert get(reader, f"{URL}photos/{not_listed.sha256}/display/").status_code == 404
    assert get(stranger, f"{URL}photos/{listed.sha256}/display/").status_code == 403
    assert get(reader, f"{URL}photos/{listed.sha256}/medium/").status_code == 200
    assert get(stranger, f"{URL}photos/{listed.sha256}/medium/").status_code == 403
    html = get(reader).content.decode()
    # The page shows the medium version at its size and links to the display version.
    assert f'<a href="{URL}photos/{listed.sha256}/display/"><img src="{URL}photos/{listed.sha256}/medium/" ' \
           f'width="64" height="48"' in html


def test_an_inspection_link_frozen_with_its_old_id_still_leads_to_the_inspection(scene, published, other_admin):
    """Bulletins published before inspections were named by their key link to /inspections/<id>/."""
    from chuangcheng.inspections.models import Inspection

    content = published.content
    frozen = content["zero_loss_failed"][0]["inspections"][0]
    inspection = Inspection.objects.get(pk=frozen["id"])
    frozen["link"]["args"] = [str(inspection.pk)]
    Bulletin.objects.filter(pk=published.pk).update(content=content)
    old = f"/inspections/{inspection.pk}/"
    assert f'href="{old}"' in get(scene.cast.leader).content.decode()
    moved = get(scene.cast.leader, old)
    assert moved.status_code == 301 and moved["Location"] == f"/inspections/{inspection.key}/"
    assert get(scene.cast.leader, moved["Location"]).status_code == 200
    assert get(other_admin, old).status_code == 404


def test_drafts_photos_are_for_the_street_admins_only(scene, draft):
    sha = scene.photos["C2-after"].sha256
    assert get(scene.cast.street_admin, f"{URL}photos/{sha}/display/").status_code == 200
    assert get(scene.cast.admin_a, f"{URL}photos/{sha}/display/").status_code == 403


def test_the_list_reads_a_fixed_number_of_queries(scene, django_assert_max_num_queries):
    with time_machine.travel(EVENING, tick=False):
        for n in range(12):
            publish_bulletin(draft_bulletin(scene.cast.street, DAY - dt.timedelta(days=n)), by=None)
    client = client_for(scene.cast.leader)
    with time_machine.travel(EVENING, tick=False), django_assert_max_num_queries(12):
        assert client.get("/reports/bulletins/").status_code == 200


# --- in a browser -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_street_admin_publishes_and_the_page_prints_without_navigation(live_server, browser, cast, media):
    from pathlib import Path

    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category
    from tests.conftest import PASSWORD

    load_categories(Category)  # shipped data, emptied by transactional tests
    scene = build(cast)
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with time_machine.travel(EVENING, tick=False):
        draft_bulletin(scene.cast.street, DAY)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        with time_machine.travel(EVENING, tick=True):
            base = live_server.url
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("用户名").fill("street_admin")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}{URL}")
            assert page.locator("#bulletin-title").is_visible()
            assert page.locator("img[src*='/photos/']").count() == 4
            page.locator("#id_remarks").fill("请各社区对照整改。")
            page.locator("#publish-form button[type=submit]").click()
            page.wait_for_selector(".bulletin-number[data-number='1']")
            page.screenshot(path=str(artifacts / "bulletin-desk.png"), full_page=True)
            page.emulate_media(media="print")
            assert not page.locator(".topbar").is_visible()
            assert not page.locator("#download-docx").is_visible()
            assert page.locator("#bulletin-title").is_visible()
            page.pdf(path=str(artifacts / "bulletin-print.pdf"), format="A4")
    finally:
        context.close()
    assert Bulletin.objects.get().number == 1
