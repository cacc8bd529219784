"""The issuing settings page (/reports/issuing/<street>/): a street admin sees the defaults a blank
field takes, saves the street's issuing office, 报 / 送 / 发 / 抄送 lines and days to rectify (one
audit record per change), and is told in Chinese what is wrong; nobody else changes them."""

from __future__ import annotations

import pytest

from chuangcheng.core.models import AuditEvent
from chuangcheng.org.models import Role
from chuangcheng.reports.issuing import issuing_for
from chuangcheng.reports.models import ReportSettings
from tests import factories as f
from tests.conftest import client_for

URL = "/reports/issuing/150103001/"
SETTINGS = {"issuer": "光明路街道创城指挥部办公室", "report_to": "回民区创城办", "send_to": "街道主要领导",
            "distribute_to": "各社区、各责任单位", "cc": "区文明办", "rectify_days": "3"}


@pytest.fixture
def admin(cast):
    return client_for(cast.street_admin)


def test_the_page_shows_the_defaults_a_blank_field_takes(cast, admin):
    html = admin.get(URL).content.decode()
    assert 'placeholder="光明路街道创城工作领导小组办公室"' in html
    assert 'placeholder="回民区创城办"' in html and 'placeholder="各社区、各责任单位"' in html
    assert "留空则为：街道党工委、办事处领导" in html
    assert 'name="rectify_days" value="2"' in html
    assert '<td data-key="issuer">光明路街道创城工作领导小组办公室</td>' in html


def test_saving_keeps_the_settings_and_records_the_change(cast, admin):
    response = admin.post(URL, SETTINGS)
    assert response.status_code == 302 and response["Location"] == URL
    issuing = issuing_for(cast.street)
    assert (issuing.issuer, issuing.cc, issuing.rectify_days) == ("光明路街道创城指挥部办公室", "区文明办", 3)
    assert issuing.lines()[0] == ("报", "回民区创城办")
    event = AuditEvent.objects.get(object_type="reports.reportsettings")
    assert event.action == AuditEvent.Action.CREATE and event.actor == cast.street_admin
    assert event.changes["rectify_days"] == [None, 3] and event.region_path == cast.street.path
    html = admin.get(URL).content.decode()
    assert "发文设置已保存" in html and 'value="光明路街道创城指挥部办公室"' in html


def test_saving_the_same_again_records_nothing_and_a_change_records_what_changed(cast, admin):
    admin.post(URL, SETTINGS)
    admin.post(URL, SETTINGS)
    assert AuditEvent.objects.filter(object_type="reports.reportsettings").count() == 1
    admin.post(URL, {**SETTINGS, "cc": ""})
    event = AuditEvent.objects.filter(object_type="reports.reportsettings").latest("id")
    assert event.action == AuditEvent.Action.UPDATE and event.changes == {"cc": ["区文明办", ""]}
    assert issuing_for(cast.street).cc == ""


@pytest.mark.parametrize(("days", "message"), [("0", "大于或等于1"), ("61", "小于或等于60"), ("两天", "整数"),
                                               ("", "必填")])
def test_bad_days_to_rectify_are_refused_with_a_message(cast, admin, days, message):
    response = admin.post(URL, {**SETTINGS, "rectify_days": days})
    assert response.status_code == 400
    errors = response.content.decode().split('id="id_rectify_days_errors"')[1].split("</ul>")[0]
    assert message in errors
    assert not ReportSettings.objects.exists()


def test_the_service_refuses_days_out_of_range_whatever_the_form(cast):
    from django.core.exceptions import ValidationError

    from chuangcheng.reports.services.issuing import save_issuing

    with pytest.raises(ValidationError) as refused:
        save_issuing(cast.street, {**SETTINGS, "rectify_days": 90}, by=cast.street_admin)
    assert refused.value.message_dict == {"rectify_days": ["整改期限请填1至60天。"]}


def test_other_roles_of_the_street_are_refused(cast):
    for user in (cast.admin_a, cast.leader, cast.grid_worker_a):
        assert client_for(user).get(URL).status_code == 403
        assert client_for(user).post(URL, SETTINGS).status_code == 403
    assert not ReportSettings.objects.exists()


def test_another_streets_admin_finds_no_such_page(cast):
    other = f.street(cast.district, code="150103002", name="环河街道")
    admin = client_for(f.UserFactory(username="other_admin", role=Role.STREET_ADMIN, scope=other))
    assert admin.get(URL).status_code == 404
    assert admin.post(URL, SETTINGS).status_code == 404
    assert admin.get("/reports/issuing/150103002/").status_code == 200
    assert not ReportSettings.objects.filter(street=cast.street).exists()


def test_the_bulletin_list_links_to_the_settings_for_the_streets_admins_only(cast, admin):
    assert f'href="{URL}"' in admin.get("/reports/bulletins/").content.decode()
    assert f'href="{URL}"' not in client_for(cast.leader).get("/reports/bulletins/").content.decode()


def test_a_default_is_shown_as_text_whatever_the_streets_name(cast, admin):
    cast.street.name = "<b>光明</b>"
    cast.street.save()
    html = admin.get(URL).content.decode()
    assert "<b>光明</b>" not in html and "留空则为：&lt;b&gt;光明&lt;/b&gt;创城工作领导小组办公室" in html
