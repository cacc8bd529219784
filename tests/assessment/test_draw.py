"""Drawing a round: the sample covers every sampled type of the street with its sample size, the same
seed draws the same sample, the seed is kept, and a sample larger than the street's points is
refused with the numbers, nothing saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from chuangcheng.assessment import services
from chuangcheng.assessment.draw import draw_sample
from chuangcheng.assessment.models import Round, RoundEvent, RoundPoint
from chuangcheng.standards.models import TypeProfile
from tests import factories as f


def codes(draw):
    return [(t.point_type.code, [p.code for p in t.points]) for t in draw.types]


def test_the_same_seed_draws_the_same_sample_and_every_sampled_type_is_covered(scene):
    first = draw_sample(scene.cast.street, seed=7, catalog=scene.catalog)
    again = draw_sample(scene.cast.street, seed=7, catalog=scene.catalog)
    assert codes(first) == codes(again)
    # 学校周边 has no point in the street: listed, nothing drawn (the assessors sample it elsewhere).
    assert [(t.point_type.code, t.sample_size, len(t.points), t.available) for t in first.types] == [
        ("T_MARKET", 2, 2, 3), ("T_ROAD", 1, 1, 2), ("T_SCHOOL", 1, 0, 0)]
    seeds = {tuple(p for _t, ps in codes(draw_sample(scene.cast.street, seed=s, catalog=scene.catalog)) for p in ps)
             for s in range(20)}
    assert len(seeds) > 1, "the seed changes the draw"


def test_a_round_keeps_its_seed_and_deals_the_points_to_the_team_in_turn(scene):
    round = scene.draw(seed=11)
    expected = draw_sample(scene.cast.street, seed=11, catalog=scene.catalog)
    points = list(round.points.order_by("position"))
    assert round.number == 1 and round.seed == 11 and round.state == "drawn" and round.catalog == scene.catalog
    assert [rp.point.code for rp in points] == [p.code for p in expected.points]
    assert [rp.assessor.username for rp in points] == ["inspector_1", "inspector_2", "inspector_1"]
    event = RoundEvent.objects.get(round=round)
    assert (event.action, event.to_state, event.data["seed"]) == ("draw", "drawn", 11)
    assert scene.draw(seed=11).number == 2


def test_a_sample_larger_than_the_points_is_refused_with_the_numbers(scene):
    TypeProfile.objects.filter(version=scene.catalog, point_type=scene.market).update(sample_size=5)
    TypeProfile.objects.filter(version=scene.catalog, point_type=scene.road).update(sample_size=3)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        scene.draw()
    assert info.value.messages == ["农贸市场: 抽样 5 个，街道只有 3 个", "主次干道: 抽样 3 个，街道只有 2 个"]
    assert Round.objects.count() == RoundPoint.objects.count() == RoundEvent.objects.count() == 0


def test_an_inactive_point_is_never_drawn(scene):
    scene.markets[0].active = False
    scene.markets[0].save()
    for seed in range(10):
        drawn = draw_sample(scene.cast.street, seed=seed, catalog=scene.catalog)
        assert "MKT-1" not in [p.code for p in drawn.points]


def test_only_the_street_admin_draws_and_only_street_staff_join_the_team(scene):
    with pytest.raises(PermissionDenied):
        scene.draw(by=scene.cast.admin_a)
    with pytest.raises(PermissionDenied):
        scene.draw(by=scene.inspector_1)
    with pytest.raises(ValidationError) as info:
        services.draw_round(scene.cast.street, by=scene.cast.street_admin, seed=1, team=[scene.cast.grid_worker_a])
    assert "team" in info.value.message_dict
    assert Round.objects.count() == 0


def test_a_seed_that_is_not_a_whole_number_is_refused(scene):
    for seed in ("abc", -1, 2**64):
        with pytest.raises(ValidationError) as info:
            draw_sample(scene.cast.street, seed=seed, catalog=scene.catalog)
        assert "seed" in info.value.message_dict


def test_assessors_can_be_changed_before_the_start_only_to_team_members(scene):
    round = scene.draw()
    outsider = f.UserFactory(username="inspector_x", role="inspector", scope=scene.cast.street)
    with pytest.raises(ValidationError):
        services.assign_points(round, by=scene.cast.street_admin, assessors={1: outsider})
    services.assign_points(round, by=scene.cast.street_admin, assessors={1: scene.inspector_2, 3: scene.inspector_2})
    assert list(round.points.order_by("position").values_list("assessor__username", flat=True)) == [
        "inspector_2", "inspector_2", "inspector_2"]
    assert RoundEvent.objects.filter(round=round, action="assign").count() == 1
