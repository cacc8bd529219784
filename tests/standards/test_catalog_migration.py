"""Migration 0004 publishes the default catalog in the assessment's terms over the shipped v1 of an
existing install, and leaves a street's own catalog alone."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

from chuangcheng.standards import queries, services
from chuangcheng.standards.models import (
    AssessmentItem,
    CatalogVersion,
    CheckGroup,
    CheckItem,
    PointType,
    TypeProfile,
)

migration: Any = importlib.import_module("chuangcheng.standards.migrations.0004_catalog_assessment_terms")
NEW_TYPES = ("YOUTH_VENUE", "PRACTICE_STATION")


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (
        PointType, CatalogVersion, CheckGroup, TypeProfile, CheckItem, AssessmentItem))


@pytest.fixture
def v1_install(db: None) -> CatalogVersion:
    """A database as it was before 0004: the shipped v1 in force and nothing else."""
    v2 = CatalogVersion.objects.get(number=2)
    for model in (AssessmentItem, CheckItem, TypeProfile, CheckGroup):
        model.objects.filter(version=v2).delete()
    v2.delete()
    PointType.objects.filter(code__in=NEW_TYPES).delete()
    v1 = CatalogVersion.objects.get(number=1)
    v1.status = "published"
    v1.save(update_fields=["status"])
    return v1


def test_on_a_v1_install_the_migration_publishes_v2_over_v1(v1_install: CatalogVersion) -> None:
    v1_items = dict(CheckItem.objects.filter(version=v1_install).values_list("code", "pk"))
    migration.publish(apps, None)

    in_force = queries.version_in_force()
    assert in_force is not None
    assert (in_force.number, in_force.based_on, in_force.title) == (2, v1_install, "默认测评目录（测评内容与分值）")
    v1_install.refresh_from_db()
    assert v1_install.status == "superseded"
    # v1's rows are the same rows: inspections made under it keep their items.
    assert dict(CheckItem.objects.filter(version=v1_install).values_list("code", "pk")) == v1_items
    assert not CheckItem.objects.filter(version=v1_install, penalty__isnull=False).exists()
    assert AssessmentItem.objects.filter(version=in_force).count() == 101
    assert CheckItem.objects.filter(version=in_force).count() == 130
    assert set(NEW_TYPES) <= set(PointType.objects.values_list("code", flat=True))
    assert TypeProfile.objects.get(version=in_force, point_type__code="BUS_STOP").sample_size == 5

    before = _counts()
    migration.publish(apps, None)  # v2 in force: nothing to do
    assert _counts() == before


def test_the_way_back_puts_v1_in_force_again(v1_install: CatalogVersion) -> None:
    before = _counts()
    migration.publish(apps, None)
    migration.unpublish(apps, None)
    assert _counts() == before
    assert queries.version_in_force() == v1_install


def test_a_street_that_published_its_own_catalog_keeps_it(cast, v1_install: CatalogVersion) -> None:
    draft = services.start_draft(by=cast.street_admin, title="本街道 2027 目录")
    services.save_type_profile(draft, by=cast.street_admin, point_type="MARKET", groups=["PUB", "ENV"])
    own = services.publish_version(draft, by=cast.street_admin, changelog="街道自定")
    before = _counts()
    migration.publish(apps, None)
    assert _counts() == before
    assert queries.version_in_force() == own


def test_a_street_drafting_its_own_catalog_keeps_its_draft(cast, v1_install: CatalogVersion) -> None:
    draft = services.start_draft(by=cast.street_admin, title="本街道 2027 目录")
    before = _counts()
    migration.publish(apps, None)
    assert _counts() == before
    assert queries.version_in_force() == v1_install
    assert queries.open_draft() == draft
