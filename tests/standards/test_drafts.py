from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.core.models import AuditEvent
from chuangcheng.standards import queries, services
from chuangcheng.standards.models import CatalogVersion, CheckGroup, CheckItem, TypeProfile


@pytest.fixture
def draft(cast, catalog: CatalogVersion) -> CatalogVersion:
    return services.start_draft(by=cast.street_admin, title="2027 修订")


def test_a_draft_is_a_full_copy_of_the_version_in_force(cast, catalog: CatalogVersion, draft) -> None:
    assert (draft.number, draft.status, draft.based_on) == (2, "draft", catalog)
    for model in (CheckGroup, TypeProfile, CheckItem):
        assert model.objects.filter(version=draft).count() == model.objects.filter(version=catalog).count()
    market = TypeProfile.objects.get(version=draft, point_type__code="MARKET")
    assert {g.version_id for g in market.groups.all()} == {draft.pk}
    item = CheckItem.objects.get(version=draft, code="PUB-1")
    assert item.group.version_id == draft.pk
    assert queries.compare_versions(catalog, draft).is_empty


def test_only_one_draft_is_open_at_a_time(cast, draft) -> None:
    with pytest.raises(ValidationError):
        services.start_draft(by=cast.street_admin, title="另一个")


def test_draft_edit_publish(cast, catalog: CatalogVersion, draft) -> None:
    admin = cast.street_admin
    services.save_check_item(
        draft, by=admin, code="MARKET-13", point_type="MARKET", text="市场入口设有公益广告电子屏。",
        measure="count", threshold=Decimal(1), weight=Decimal(1),
    )
    services.save_check_item(draft, by=admin, code="PUB-1", weight=Decimal(3))
    services.delete_check_item(draft, by=admin, code="NETBAR-3")
    services.save_type_profile(draft, by=admin, point_type="NETBAR", groups=["FAC", "PUB"])

    published = services.publish_version(draft, by=admin, changelog="按区创城办新要求修订。")

    catalog.refresh_from_db()
    assert catalog.status == CatalogVersion.Status.SUPERSEDED
    assert published.status == CatalogVersion.Status.PUBLISHED
    assert published.published_by == admin and published.published_at is not None
    assert queries.version_in_force() == published
    assert published.changelog.startswith("按区创城办新要求修订。")
    for code in ("MARKET-13", "NETBAR-3", "PUB-1", "NETBAR"):
        assert code in published.changelog
    # The old version is untouched: inspections scored against it still read the same items.
    assert CheckItem.objects.get(version=catalog, code="PUB-1").weight == 2
    assert CheckItem.objects.filter(version=catalog, code="NETBAR-3").exists()
    netbar = queries.checklist_for(published.profiles.get(point_type__code="NETBAR").point_type)
    assert "PUB-1" in {i.code for i in netbar}
    publish_event = AuditEvent.objects.get(action="publish", object_type="standards.catalogversion")
    assert publish_event.changes["added"] == ["MARKET-13"]
    assert publish_event.changes["removed"] == ["NETBAR-3"]
    assert publish_event.region_path == ""


def test_every_change_to_a_draft_is_in_the_audit_log(cast, draft) -> None:
    services.save_check_item(draft, by=cast.street_admin, code="PUB-1", weight=Decimal(3))
    event = AuditEvent.objects.filter(object_type="standards.checkitem").latest("id")
    assert (event.action, event.object_key, event.actor) == ("update", "PUB-1", cast.street_admin)
    assert event.changes == {"weight": ["2.00", "3"]}


def test_publishing_needs_a_changelog(cast, draft) -> None:
    with pytest.raises(ValidationError) as exc:
        services.publish_version(draft, by=cast.street_admin, changelog="  ")
    assert "changelog" in exc.value.message_dict
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.parametrize("change", [
    lambda v, by: services.save_check_item(v, by=by, code="PUB-1", weight=Decimal(5)),
    lambda v, by: services.delete_check_item(v, by=by, code="PUB-1"),
    lambda v, by: services.save_type_profile(v, by=by, point_type="MARKET", groups=["PUB"]),
    lambda v, by: services.publish_version(v, by=by, changelog="再发布一次"),
    lambda v, by: services.discard_draft(v, by=by),
])
def test_a_published_version_is_never_changed(cast, catalog: CatalogVersion, change) -> None:
    before = list(CheckItem.objects.filter(version=catalog).values_list("code", "weight"))
    with pytest.raises(ValidationError) as exc:
        change(catalog, cast.street_admin)
    assert [e.code for e in exc.value.error_list] == ["not_draft"]
    assert list(CheckItem.objects.filter(version=catalog).values_list("code", "weight")) == before
    catalog.refresh_from_db()
    assert catalog.status == "published"


def test_a_superseded_version_is_never_changed(cast, catalog: CatalogVersion, draft) -> None:
    services.publish_version(draft, by=cast.street_admin, changelog="发布")
    catalog.refresh_from_db()
    with pytest.raises(ValidationError):
        services.save_check_item(catalog, by=cast.street_admin, code="PUB-1", weight=Decimal(5))


@pytest.mark.parametrize("who", ["admin_a", "grid_worker_a", "leader"])
def test_only_a_street_admin_may_edit_the_catalog(cast, catalog: CatalogVersion, who: str) -> None:
    user = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        services.start_draft(by=user, title="社区自己改")
    draft = services.start_draft(by=cast.street_admin, title="街道修订")
    with pytest.raises(PermissionDenied):
        services.save_check_item(draft, by=user, code="PUB-1", weight=Decimal(5))
    with pytest.raises(PermissionDenied):
        services.publish_version(draft, by=user, changelog="越权")
    assert CheckItem.objects.get(version=draft, code="PUB-1").weight == 2


def test_a_rate_threshold_above_100_is_refused_on_the_field(cast, draft) -> None:
    with pytest.raises(ValidationError) as exc:
        services.save_check_item(
            draft, by=cast.street_admin, code="BACK_LANE-9", point_type="BACK_LANE", text="路灯亮灯率",
            measure="rate", threshold=Decimal(150),
        )
    assert list(exc.value.message_dict) == ["threshold"]
    assert not CheckItem.objects.filter(version=draft, code="BACK_LANE-9").exists()


def test_a_count_without_threshold_is_refused_on_the_field(cast, draft) -> None:
    with pytest.raises(ValidationError) as exc:
        services.save_check_item(
            draft, by=cast.street_admin, code="SCHOOL-9", point_type="SCHOOL", text="公益广告数量",
            measure="count", distance_m=50,
        )
    assert list(exc.value.message_dict) == ["threshold"]


def test_an_occurrences_item_needs_a_deduction_no_larger_than_its_weight(cast, draft) -> None:
    with pytest.raises(ValidationError) as exc:
        services.save_check_item(
            draft, by=cast.street_admin, code="ENV-9", group="ENV", text="无积水", measure="occurrences",
            weight=Decimal(1), deduction=Decimal(2),
        )
    assert list(exc.value.message_dict) == ["deduction"]


def test_an_item_belongs_to_a_group_or_a_point_type(cast, draft) -> None:
    with pytest.raises(ValidationError) as exc:
        services.save_check_item(draft, by=cast.street_admin, code="X-1", text="无归属")
    assert "group" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_check_item(draft, by=cast.street_admin, code="X-1", group="NOPE", text="未知组")
    assert "group" in exc.value.message_dict


def test_a_draft_can_be_discarded(cast, catalog: CatalogVersion, draft) -> None:
    services.discard_draft(draft, by=cast.street_admin)
    assert not CatalogVersion.objects.filter(pk=draft.pk).exists()
    assert queries.version_in_force() == catalog
