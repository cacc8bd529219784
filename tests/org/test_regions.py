from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.core.models import AuditEvent
from chuangcheng.org import services
from chuangcheng.org.models import Person, Region
from chuangcheng.places.queries import region_children_with_counts
from tests import factories as f


def test_a_subtree_is_one_prefix_query(cast, django_assert_num_queries):
    from chuangcheng.org.queries import regions_visible_to

    with django_assert_num_queries(1):
        codes = [r.code for r in regions_visible_to(cast.admin_a)]
    assert codes == [cast.community_a.code, cast.grid_a.code]


def test_a_grid_must_sit_under_a_community(cast):
    with pytest.raises(ValidationError) as exc:
        services.save_region(by=cast.street_admin, code="G-BAD", name="错层网格", level=Region.Level.GRID,
                             parent=cast.street)
    assert "parent" in exc.value.message_dict
    assert not Region.objects.filter(code="G-BAD").exists()


def test_an_existing_code_is_not_moved_to_another_parent(cast):
    with pytest.raises(ValidationError):
        services.save_region(by=cast.street_admin, code=cast.grid_a.code, name="甲一网格",
                             level=Region.Level.GRID, parent=cast.community_b)


def test_a_boundary_that_is_not_geojson_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        services.save_region(by=cast.street_admin, code="G-2", name="甲二网格", level=Region.Level.GRID,
                             parent=cast.community_a, boundary='{"type": "Point", "coordinates": [111, 40]}')
    assert "boundary" in exc.value.message_dict


def test_a_community_admin_may_add_a_grid_only_in_their_community(cast):
    grid, changed = services.save_region(by=cast.admin_a, code="G-3", name="甲三网格", level=Region.Level.GRID,
                                         parent=cast.community_a)
    assert changed and grid.path == f"{cast.community_a.path}G-3/"
    with pytest.raises(PermissionDenied):
        services.save_region(by=cast.admin_a, code="G-4", name="乙二网格", level=Region.Level.GRID,
                             parent=cast.community_b)


def test_a_phone_that_is_not_a_chinese_mobile_is_refused_naming_the_field(cast):
    with pytest.raises(ValidationError) as exc:
        services.save_person(by=cast.street_admin, code="P-1", name="王芳", phone="010-12345678",
                             region=cast.grid_a)
    assert "phone" in exc.value.message_dict
    assert not Person.objects.exists()


def test_a_phone_with_country_code_and_spaces_is_normalized(cast):
    person, _ = services.save_person(by=cast.street_admin, code="P-2", name="王芳", phone="+86 139 1234 5678",
                                     region=cast.grid_a)
    assert person.phone == "13912345678"


def test_a_duplicate_phone_is_refused(cast):
    services.save_person(by=cast.street_admin, code="P-3", name="王芳", phone="13912345678", region=cast.grid_a)
    with pytest.raises(ValidationError) as exc:
        services.save_person(by=cast.street_admin, code="P-4", name="李强", phone="13912345678",
                             region=cast.grid_a)
    assert "phone" in exc.value.message_dict


def test_changing_a_unit_records_who_changed_what(cast):
    services.save_unit(by=cast.street_admin, code="WY", name="甲物业", kind="property", region=cast.community_a)
    services.save_unit(by=cast.admin_a, code="WY", name="甲物业", kind="property", region=cast.community_a,
                       head_name="赵经理", head_phone="13800001111")
    event = AuditEvent.objects.filter(object_key="WY", action="update").get()
    assert event.actor == cast.admin_a
    assert event.changes["head_name"] == ["", "赵经理"]
    assert event.region_path == cast.community_a.path


def test_children_counts_cost_two_queries_whatever_the_size(cast, django_assert_num_queries):
    unit = f.UnitFactory(region=cast.street)
    f.PointFactory.create_batch(3, grid=cast.grid_a, primary_unit=unit)
    f.PointFactory.create_batch(2, grid=cast.grid_b, primary_unit=unit, lon="111.70")
    with django_assert_num_queries(2):
        rows = {r.code: (r.child_count, r.point_count) for r in region_children_with_counts(cast.street_admin,
                                                                                              cast.street)}
    assert rows == {cast.community_a.code: (1, 3), cast.community_b.code: (1, 2)}


def test_audit_events_are_append_only(cast):
    services.save_unit(by=cast.street_admin, code="WY", name="甲物业", kind="property", region=cast.community_a)
    event = AuditEvent.objects.get()
    event.note = "tampered"
    with pytest.raises(ValueError):
        event.save()
