from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.core.models import AuditEvent
from chuangcheng.standards import queries, services
from chuangcheng.standards.models import AssessmentItem, CatalogVersion, CheckGroup, CheckItem, TypeProfile


@pytest.fixture
def draft(cast, catalog: CatalogVersion) -> CatalogVersion:
    return services.start_draft(by=cast.street_admin, title="2027 修订")


def test_a_draft_is_a_full_copy_of_the_version_in_force(cast, catalog: CatalogVersion, draft) -> None:
    assert (draft.number, draft.status, draft.based_on) == (3, "draft", catalog)
    for model in (CheckGroup, TypeProfile, CheckItem, AssessmentItem):
        assert model.objects.filter(version=draft).count() == model.objects.filter(version=catalog).count()
    market = TypeProfile.objects.get(version=draft, point_type__code="MARKET")
    assert {g.version_id for g in market.groups.all()} == {draft.pk}
    item = CheckItem.objects.get(version=draft, code="PUB-1")
    assert item.group.version_id == draft.pk
    market_env = AssessmentItem.objects.get(version=draft, code="MARKET.ENV")
    assert market_env.group.version_id == draft.pk and market_env.points == 7
    assert market.sample_size == 2
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
    services.save_assessment_item(draft, by=admin, code="NETBAR.PUB", name="未成年人思想道德建设·网吧·公益广告",
                                  point_type="NETBAR", group="PUB", points=Decimal(4))

    published = services.publish_version(draft, by=admin, changelog="按区创城办新要求修订。")

    catalog.refresh_from_db()
    assert catalog.status == CatalogVersion.Status.SUPERSEDED
    assert published.status == CatalogVersion.Status.PUBLISHED
    assert published.published_by == admin and published.published_at is not None
    assert queries.version_in_force() == published
    assert published.changelog.startswith("按区创城办新要求修订。")
    for code in ("MARKET-13", "NETBAR-3", "PUB-1", "NETBAR", "NETBAR.PUB"):
        assert code in published.changelog
    # The old version is untouched: inspections scored against it still read the same items.
    assert CheckItem.objects.get(version=catalog, code="PUB-1").weight == 2
    assert CheckItem.objects.filter(version=catalog, code="NETBAR-3").exists()
    netbar = queries.checklist_for(published.profiles.get(point_type__code="NETBAR").point_type)
    assert "PUB-1" in {i.code for i in netbar}
    publish_event = AuditEvent.objects.get(action="publish", object_type="standards.catalogversion")
    assert publish_event.changes["added"] == ["MARKET-13"]
    assert publish_event.changes["removed"] == ["NETBAR-3"]
    assert publish_event.changes["assessment_added"] == ["NETBAR.PUB"]
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
    lambda v, by: services.save_check_item(v, by=by, code="PUB-1", penalty=Decimal(1)),
    lambda v, by: services.save_type_profile(v, by=by, point_type="MARKET", groups=["PUB"], sample_size=9),
    lambda v, by: services.save_assessment_item(v, by=by, code="MARKET.ENV", points=Decimal(20)),
    lambda v, by: services.delete_assessment_item(v, by=by, code="MARKET.ENV"),
])
def test_a_published_version_is_never_changed(cast, catalog: CatalogVersion, change) -> None:
    def state() -> list[Any]:
        return [list(CheckItem.objects.filter(version=catalog).values_list("code", "weight", "penalty")),
                list(AssessmentItem.objects.filter(version=catalog).values_list("code", "points")),
                list(TypeProfile.objects.filter(version=catalog).values_list("point_type__code", "sample_size"))]

    before = state()
    with pytest.raises(ValidationError) as exc:
        change(catalog, cast.street_admin)
    assert [e.code for e in exc.value.error_list] == ["not_draft"]
    assert state() == before
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


def test_a_draft_sets_sample_sizes_penalties_and_assessment_items(cast, catalog: CatalogVersion, draft) -> None:
    admin = cast.street_admin
    services.save_type_profile(draft, by=admin, point_type="MARKET", groups=["PUB", "ORDER", "ENV", "PARK", "VOL"],
                               sample_size=3)
    services.save_check_item(draft, by=admin, code="ENV-1", penalty=Decimal("1.5"))
    services.save_assessment_item(draft, by=admin, code="MARKET.ENV", points=Decimal(9),
                                  name="农贸市场·环境卫生（修订）")
    services.save_assessment_item(draft, by=admin, code="DOC.NEW", name="文明交通宣传", method="materials",
                                  points=Decimal(2))
    services.delete_assessment_item(draft, by=admin, code="DOC.LAW")

    diff = queries.compare_versions(catalog, draft)
    assert [c.code for c in diff.changed] == ["ENV-1"]
    assert [f.name for f in diff.changed[0].fields] == ["penalty"]
    assert [a.code for a in diff.assessment_added] == ["DOC.NEW"]
    assert [a.code for a in diff.assessment_removed] == ["DOC.LAW"]
    assert [(c.code, [f.name for f in c.fields]) for c in diff.assessment_changed] == [
        ("MARKET.ENV", ["name", "points"])]
    assert [p.point_type.code for p in diff.profiles] == ["MARKET"]
    assert "3" in diff.profiles[0].other_fields[0]
    rules = queries.scoring_rules(draft)
    assert rules.rules["MARKET.ENV"].points == 9 and rules.rules["MARKET.ENV"].sample == 3
    assert "DOC.NEW" not in rules.rules


@pytest.mark.parametrize(("fields", "field"), [
    ({"code": "MARKET.ENV", "points": Decimal(0)}, "points"),
    ({"code": "MARKET.ENV", "points": Decimal("0.5")}, "points"),  # below its heaviest penalty (1)
    ({"code": "X.NEW", "name": "无点位", "method": "observe", "points": Decimal(3)}, "point_type"),
    ({"code": "X.NEW", "name": "材料", "method": "materials", "point_type": "MARKET", "points": Decimal(3)},
     "point_type"),
    ({"code": "X.NEW", "name": "交通", "point_type": "MARKET", "group": "TRAFFIC", "points": Decimal(3)}, "group"),
    ({"code": "X.NEW", "name": "未知组", "point_type": "MARKET", "group": "NOPE", "points": Decimal(3)}, "group"),
    ({"code": "X.NEW", "name": "重复", "point_type": "MARKET", "group": "ENV", "points": Decimal(3)}, "group"),
    ({"code": "X.NEW", "name": "重复", "point_type": "MARKET", "points": Decimal(3)}, "group"),
])
def test_bad_assessment_items_are_refused_on_their_field(cast, draft, fields: dict[str, Any], field: str) -> None:
    before = list(AssessmentItem.objects.filter(version=draft).values_list("code", "points", "name"))
    with pytest.raises(ValidationError) as exc:
        services.save_assessment_item(draft, by=cast.street_admin, **fields)
    assert field in exc.value.message_dict
    assert list(AssessmentItem.objects.filter(version=draft).values_list("code", "points", "name")) == before


@pytest.mark.parametrize(("code", "penalty"), [("ENV-1", Decimal(0)), ("ENV-1", Decimal(-1)),
                                               ("PUB-1", Decimal(5)), ("GOV_HALL-1", Decimal(3))])
def test_a_penalty_is_more_than_0_and_at_most_its_assessment_items_points(cast, draft, code, penalty) -> None:
    # PUB falls under e.g. HOSPITAL.PUB (2 points); GOV_HALL.OWN has 2 points.
    with pytest.raises(ValidationError) as exc:
        services.save_check_item(draft, by=cast.street_admin, code=code, penalty=penalty)
    assert list(exc.value.message_dict) == ["penalty"]
    assert CheckItem.objects.get(version=draft, code=code).penalty == CheckItem.objects.get(
        version=draft.based_on, code=code).penalty


def test_a_sample_size_is_at_least_1(cast, draft) -> None:
    with pytest.raises(ValidationError) as exc:
        services.save_type_profile(draft, by=cast.street_admin, point_type="MARKET", groups=["PUB"], sample_size=0)
    assert list(exc.value.message_dict) == ["sample_size"]
    assert TypeProfile.objects.get(version=draft, point_type__code="MARKET").sample_size == 2


def test_publishing_refuses_penalties_with_no_assessment_item_and_says_which(cast, draft) -> None:
    services.delete_assessment_item(draft, by=cast.street_admin, code="MARKET.ENV")
    services.delete_assessment_item(draft, by=cast.street_admin, code="NETBAR.OWN")
    with pytest.raises(ValidationError) as exc:
        services.publish_version(draft, by=cast.street_admin, changelog="删掉两项")
    message = exc.value.messages[0]
    assert "农贸市场及周边: 环境卫生与市容市貌 (ENV-1" in message
    assert "网吧" in message and "NETBAR-1" in message
    draft.refresh_from_db()
    assert draft.status == "draft"
    # Clearing the penalties of the type's own items is the other way out.
    for code in ("NETBAR-1", "NETBAR-2", "NETBAR-3", "NETBAR-4"):
        services.save_check_item(draft, by=cast.street_admin, code=code, penalty=None)
    services.save_assessment_item(draft, by=cast.street_admin, code="MARKET.ENV2", name="农贸市场·环境",
                                  point_type="MARKET", group="ENV", points=Decimal(6))
    assert services.publish_version(draft, by=cast.street_admin, changelog="修订").status == "published"


def test_publishing_refuses_assessment_items_of_a_group_the_type_no_longer_checks(cast, draft) -> None:
    services.save_type_profile(draft, by=cast.street_admin, point_type="MARKET",
                               groups=["PUB", "ORDER", "ENV", "PARK"])
    with pytest.raises(ValidationError) as exc:
        services.publish_version(draft, by=cast.street_admin, changelog="农贸市场不再查志愿服务")
    assert [e.code for e in exc.value.error_list] == ["stray_assessment_item"]
    assert "MARKET.VOL 农贸市场·志愿服务" in exc.value.messages[0]
    services.delete_assessment_item(draft, by=cast.street_admin, code="MARKET.VOL")
    published = services.publish_version(draft, by=cast.street_admin, changelog="农贸市场不再查志愿服务")
    assert published.status == "published"
