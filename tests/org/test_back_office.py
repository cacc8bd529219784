"""The back office is one more caller of the org services: a change there is checked for scope
and recorded by the service, exactly as an import or a page would be."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chuangcheng.core.models import AuditEvent
from chuangcheng.org import services
from chuangcheng.org.models import Person, Region, Role, Unit, User
from tests import factories as f
from tests.conftest import Cast


def admin_form_data(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """What the admin's form would post back unchanged, with `changes` applied."""
    page = client.get(url)
    form = page.context["adminform"].form
    data: dict[str, Any] = {}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if callable(value):
            value = value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, dt.datetime):
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.date().isoformat(), local.time().isoformat("seconds")
            continue
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, list | tuple | models.QuerySet):
            value = [v.pk if isinstance(v, models.Model) else v for v in value]
        data[name] = "" if value is None else value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def events_of(obj: models.Model) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower,
                                          object_key=getattr(obj, "code", None)
                                          or getattr(obj, "username", None) or obj.pk).order_by("pk"))


def test_a_unit_renamed_in_the_back_office_is_recorded_as_the_service_records_it(cast: Cast, as_user: Any) -> None:
    unit = f.UnitFactory(code="UA", name="甲物业", region=cast.community_a)
    twin = f.UnitFactory(code="UA2", name="甲物业", region=cast.community_a)
    services.grant_back_office(cast.admin_a)
    client = as_user(cast.admin_a)
    url = reverse("admin:org_unit_change", args=[unit.pk])
    answer = client.post(url, admin_form_data(client, url, name="甲物业公司"))
    assert answer.status_code == 302
    services.save_unit(by=cast.admin_a, code=twin.code, name="甲物业公司")
    [event] = events_of(unit)
    [by_service] = events_of(twin)
    assert Unit.objects.get(code="UA").name == "甲物业公司"
    assert (event.actor, event.action, event.changes, event.region_path, event.note) == (
        by_service.actor, by_service.action, by_service.changes, by_service.region_path, by_service.note)
    assert event.changes == {"name": ["甲物业", "甲物业公司"]}


def test_a_region_added_in_the_back_office_gets_its_path_and_one_event(cast: Cast, as_user: Any) -> None:
    services.grant_back_office(cast.admin_a)
    client = as_user(cast.admin_a)
    url = reverse("admin:org_region_add")
    answer = client.post(url, admin_form_data(client, url, code="150103001001-02", name="甲二网格",
                                              level=Region.Level.GRID, parent=cast.community_a.pk))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    region = Region.objects.get(code="150103001001-02")
    assert region.path.startswith(cast.community_a.path)
    [event] = events_of(region)
    assert (event.action, event.actor, event.region_path) == (AuditEvent.Action.CREATE, cast.admin_a, region.path)


def test_a_person_changed_in_the_back_office_is_recorded_once(cast: Cast, as_user: Any) -> None:
    person = f.PersonFactory(code="PA", name="甲网格员", region=cast.grid_a)
    services.grant_back_office(cast.admin_a)
    client = as_user(cast.admin_a)
    url = reverse("admin:org_person_change", args=[person.pk])
    assert client.post(url, admin_form_data(client, url, post="网格长")).status_code == 302
    [event] = events_of(person)
    assert event.changes == {"post": ["", "网格长"]}
    assert event.actor == cast.admin_a


def test_a_community_admin_cannot_change_another_communitys_rows_in_the_back_office(
    cast: Cast, as_user: Any
) -> None:
    unit_b = f.UnitFactory(code="UB", name="乙物业", region=cast.community_b)
    person_b = f.PersonFactory(code="PB", name="乙网格员", region=cast.grid_b)
    services.grant_back_office(cast.admin_a)
    client = as_user(cast.admin_a)
    for name, obj in [("region", cast.grid_b), ("unit", unit_b), ("person", person_b)]:
        answer = client.post(reverse(f"admin:org_{name}_change", args=[obj.pk]), {"name": "改"})
        assert answer.status_code in (302, 403, 404), name
        obj.refresh_from_db()
        assert obj.name != "改", name
    # Nor move its own unit there, nor add a region under it.
    unit_a = f.UnitFactory(code="UA", name="甲物业", region=cast.community_a)
    url = reverse("admin:org_unit_change", args=[unit_a.pk])
    answer = client.post(url, admin_form_data(client, url, region=cast.community_b.pk))
    assert answer.status_code == 200 and "region" in answer.context["adminform"].form.errors
    url = reverse("admin:org_region_add")
    answer = client.post(url, admin_form_data(client, url, code="150103001002-09", name="乙九网格",
                                              level=Region.Level.GRID, parent=cast.community_b.pk))
    assert answer.status_code == 200
    assert not Region.objects.filter(code="150103001002-09").exists()
    assert Unit.objects.get(code="UA").region == cast.community_a
    assert not AuditEvent.objects.exists()


def test_a_login_given_a_role_in_the_back_office_goes_through_save_login(cast: Cast, as_user: Any) -> None:
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    person = f.PersonFactory(code="PA", name="甲网格员", region=cast.grid_a)
    login = f.UserFactory(username="gw_a2")
    client = as_user(root)
    url = reverse("admin:org_user_change", args=[login.pk])
    answer = client.post(url, admin_form_data(client, url, role=Role.COMMUNITY_ADMIN, scope=cast.community_a.pk,
                                              person=person.pk, is_staff="on"))
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    login = User.objects.get(username="gw_a2")
    assert (login.role, login.scope, login.person, login.is_staff) == (
        Role.COMMUNITY_ADMIN, cast.community_a, person, True)
    # save_login gives admin roles the back office, after the form's own permissions were saved.
    assert login.has_perm("org.change_unit")
    [event] = events_of(login)
    assert event.actor == root and event.region_path == cast.community_a.path
    assert set(event.changes) == {"role", "scope", "person", "is_staff"}
    assert Person.objects.get(code="PA").user == login


def test_a_community_admin_cannot_attach_a_person_to_the_streets_unit_in_the_back_office(
    cast: Cast, as_user: Any
) -> None:
    squad = f.UnitFactory(code="CG", name="城管中队", region=cast.street)
    person = f.PersonFactory(code="PA", name="甲网格员", region=cast.grid_a)
    services.grant_back_office(cast.admin_a)
    client = as_user(cast.admin_a)
    url = reverse("admin:org_person_change", args=[person.pk])
    answer = client.post(url, admin_form_data(client, url, unit=squad.pk))
    assert answer.status_code == 200 and "unit" in answer.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.unit is None
