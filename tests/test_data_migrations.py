"""Data migrations load frozen copies of their data with the historical models only, so a later
change to the app's code or data files cannot change what an old migration does; and the copies
give today's database exactly."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import models
from django.utils import timezone

import chuangcheng
from chuangcheng.cases import loading as case_loading
from chuangcheng.cases.models import Category
from chuangcheng.core.models import CalendarDay
from chuangcheng.standards import loading as catalog_loading
from chuangcheng.standards.models import (
    AssessmentItem,
    CatalogVersion,
    CheckGroup,
    CheckItem,
    PointType,
    TypeProfile,
)

PACKAGE = Path(chuangcheng.__file__).parent


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_no_data_migration_imports_the_live_app_code() -> None:
    for migration in sorted(PACKAGE.glob("*/migrations/0*.py")):
        tree = ast.parse(migration.read_text(encoding="utf-8"))
        if "RunPython" not in ast.dump(tree):
            continue
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(("chuangcheng", "chinese_calendar")), f"{migration}: {name}"


def test_the_frozen_categories_are_todays_shipped_categories() -> None:
    frozen = read(PACKAGE / "cases" / "migrations" / "0002_default_categories.json")
    assert frozen == read(case_loading.DATA)


def test_the_frozen_catalog_is_todays_default_catalog() -> None:
    # 0002 froze the first default catalog (v1); 0004 publishes today's over an untouched v1.
    frozen = read(PACKAGE / "standards" / "migrations" / "0004_catalog_assessment_terms.json")
    assert frozen == catalog_loading.read_default_catalog()


def natural_key(obj: models.Model) -> str:
    return str(getattr(obj, "code", None) or getattr(obj, "number", None))


def _rows(model: type[models.Model], *exclude: str, **only: Any) -> list[dict[str, Any]]:
    skip = {"id", "created_at", "published_at", *exclude}
    rows = []
    for obj in model._default_manager.filter(**only):
        row: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            if field.name in skip:
                continue
            value = getattr(obj, field.name)
            row[field.name] = natural_key(value) if isinstance(value, models.Model) else value
        for field in model._meta.many_to_many:
            row[field.name] = sorted(natural_key(o) for o in getattr(obj, field.name).all())
        rows.append(row)
    return sorted(rows, key=repr)


def test_a_fresh_migrate_has_the_categories_the_live_loader_makes(db: None) -> None:
    migrated = _rows(Category)
    assert migrated
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    case_loading.load_categories(Category)
    assert _rows(Category) == migrated


def _catalog_in_force() -> list[list[dict[str, Any]]]:
    """The point types and the contents of the version in force (its number and history aside)."""
    in_force = CatalogVersion.objects.get(status="published")
    rows = [_rows(PointType)]
    for model in (CheckGroup, TypeProfile, CheckItem, AssessmentItem):
        rows.append(_rows(model, "version", version=in_force))
    rows.append([{"title": in_force.title, "changelog": in_force.changelog}])
    return rows


def test_a_fresh_migrate_has_the_catalog_the_live_loader_makes(db: None) -> None:
    catalog = (PointType, CatalogVersion, CheckGroup, TypeProfile, CheckItem, AssessmentItem)
    migrated = _catalog_in_force()
    assert all(migrated)
    # 0002 loaded v1, 0004 published today's catalog over it as v2.
    assert list(CatalogVersion.objects.order_by("number").values_list("number", "status", "based_on__number")) == [
        (1, "superseded", None), (2, "published", 1)]
    for model in (AssessmentItem, CheckItem, TypeProfile, CheckGroup):
        model._default_manager.all().delete()
    for version in CatalogVersion.objects.order_by("-number"):
        version.delete()
    PointType.objects.all().delete()
    catalog_loading.load_catalog(catalog_loading.read_default_catalog(),
                                 m=catalog_loading.CatalogModels(*catalog), now=timezone.now())
    assert _catalog_in_force() == migrated


def test_a_fresh_migrate_has_the_frozen_holidays_which_the_library_still_agrees_with(db: None) -> None:
    import chinese_calendar  # type: ignore[import-untyped]

    frozen = read(PACKAGE / "core" / "migrations" / "0004_seed_calendar_days.json")
    expected = {dt.date.fromisoformat(day): ("holiday", name) for day, name in frozen["holidays"].items()}
    expected |= {dt.date.fromisoformat(day): ("workday", name) for day, name in frozen["workdays"].items()}
    stored = {row.date: (row.kind, row.name) for row in CalendarDay.objects.filter(source="library")}
    assert stored == expected
    for day, (kind, _name) in expected.items():
        assert (day in chinese_calendar.holidays) == (kind == "holiday"), day
