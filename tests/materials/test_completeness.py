"""Completeness over the rolling year before the assessment: an item is complete with a regulation,
a statement and photos dated inside the year and not withdrawn; the page lists every item."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.core import clock
from chuangcheng.materials import queries, services
from chuangcheng.materials.models import Material
from tests import factories as f
from tests.materials.conftest import GOOD

pytestmark = pytest.mark.django_db


def _complete(archive, item, *, dated_on=None):
    for kind in ("regulation", "statement", "photo"):
        archive.file(item, kind=kind, dated_on=dated_on)


def test_the_rolling_year_ends_on_the_assessment_date():
    assert queries.year_before(dt.date(2026, 12, 3)) == (dt.date(2025, 12, 4), dt.date(2026, 12, 3))
    assert queries.year_before(dt.date(2028, 2, 29)) == (dt.date(2027, 3, 1), dt.date(2028, 2, 29))


def test_every_materials_item_is_listed_in_catalog_order_with_what_is_missing(archive):
    f.MaterialsItemFactory(code="OBS-9", method="observe", sort_order=0)  # not a materials item
    _complete(archive, archive.items[1])
    archive.file(archive.items[0], kind="statement")
    status = queries.completeness(archive.street)
    assert [row.item.code for row in status.items] == ["DOC-ORG", "DOC-PLAN", "DOC-STAT"]
    assert [row.missing for row in status.items] == [["regulation", "photo"], [],
                                                      ["regulation", "statement", "photo"]]
    assert (status.items_complete, len(status.items)) == (1, 3)
    assert (status.kinds_present, status.kinds_needed) == (4, 9)
    assert str(status.items_percent) == "33.3" and str(status.kinds_percent) == "44.4"


def test_a_document_dated_thirteen_months_ago_does_not_count(archive):
    today = clock.today()
    _complete(archive, archive.items[0])
    old = archive.file(archive.items[1], kind="regulation", dated_on=today - dt.timedelta(days=396))
    archive.file(archive.items[1], kind="statement")
    archive.file(archive.items[1], kind="photo", name="a.png", data=GOOD["现场.png"][0]())
    row = queries.completeness(archive.street).row("DOC-PLAN")
    assert row is not None and old in row.materials and old not in row.counted
    assert row.missing == ["regulation"]
    # The first day of the year counts, the day before does not.
    start, _end = queries.year_before(today)
    archive.file(archive.items[2], kind="regulation", dated_on=start)
    archive.file(archive.items[2], kind="statement", dated_on=start - dt.timedelta(days=1))
    assert queries.completeness(archive.street).row("DOC-STAT").present == ["regulation"]


def test_the_assessment_date_moves_the_year(archive):
    today = clock.today()
    _complete(archive, archive.items[0], dated_on=today - dt.timedelta(days=200))
    assert queries.completeness(archive.street).row("DOC-ORG").complete
    services.set_assessment_date(archive.street, by=archive.admin, on=today - dt.timedelta(days=210))
    status = queries.completeness(archive.street)
    assert status.date_set and status.on == today - dt.timedelta(days=210)
    assert not status.row("DOC-ORG").complete  # dated after the assessment
    services.set_assessment_date(archive.street, by=archive.admin, on=None)
    assert queries.completeness(archive.street).on == today


def test_only_the_street_admins_set_the_assessment_date(archive):
    with pytest.raises(PermissionDenied):
        services.set_assessment_date(archive.street, by=archive.cast.leader, on=clock.today())


def test_a_statistical_table_counts_as_a_material_but_is_not_needed(archive):
    archive.file(archive.items[0], kind="table", name="t.xlsx", data=GOOD["台账.xlsx"][0]())
    row = queries.completeness(archive.street).row("DOC-ORG")
    assert len(row.counted) == 1 and row.missing == ["regulation", "statement", "photo"]


def test_a_withdrawn_document_no_longer_counts_but_stays(archive):
    _complete(archive, archive.items[0])
    photo = Material.objects.get(kind="photo")
    services.withdraw_material(photo, by=archive.admin, reason="传错了")
    photo.refresh_from_db()
    assert photo.withdrawn and photo.withdrawn_by == archive.admin and photo.withdrawal_reason == "传错了"
    assert queries.completeness(archive.street).row("DOC-ORG").missing == ["photo"]
    assert Material.objects.count() == 3
    with photo.file.open("rb") as stored:
        assert stored.read()[:5] == b"%PDF-"


def test_withdrawing_needs_a_reason_and_happens_once(archive):
    material = archive.file()
    with pytest.raises(ValidationError, match="请说明撤回原因"):
        services.withdraw_material(material, by=archive.admin, reason="  ")
    services.withdraw_material(material, by=archive.admin, reason="重复")
    with pytest.raises(ValidationError, match="已经撤回"):
        services.withdraw_material(material, by=archive.admin, reason="再撤")
    with pytest.raises(PermissionDenied):
        services.withdraw_material(archive.file(), by=archive.cast.leader, reason="x")


def test_the_archive_follows_the_item_code_into_a_new_catalog_version(archive):
    _complete(archive, archive.items[0])
    old = archive.items[0].version
    new = f.CatalogVersionFactory(title="新版")
    old.status = "superseded"
    old.save()
    f.MaterialsItemFactory(version=new, code="DOC-ORG", name="组织领导（新）", sort_order=1)
    status = queries.completeness(archive.street)
    assert [row.item.code for row in status.items] == ["DOC-ORG"]
    assert status.items[0].complete and status.items[0].item.version == new
