"""Load the problem categories as they were shipped with this migration.

The data is a frozen copy (0002_default_categories.json beside this file) and the loading code is
written out here, so a later change to cases/data/categories.json or cases/loading.py cannot change
what this migration does to a database."""

import json
from pathlib import Path
from typing import Any

from django.db import migrations

DATA = Path(__file__).with_suffix(".json")


def load(apps: Any, schema_editor: Any) -> None:
    category = apps.get_model("cases", "Category")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for g_order, group in enumerate(data["groups"], start=1):
        parent, _made = category.objects.get_or_create(
            code=group["code"], defaults={"name": group["name"], "sort_order": g_order * 100, "public": True}
        )
        for c_order, child in enumerate(group["children"], start=1):
            category.objects.get_or_create(
                code=child["code"],
                defaults={
                    "name": child["name"], "parent": parent, "sort_order": g_order * 100 + c_order,
                    "public": child.get("public", True), "campaign_label": child.get("campaign", ""),
                    "limit_amount": child["limit"]["amount"], "limit_unit": child["limit"]["unit"],
                },
            )


def unload(apps: Any, schema_editor: Any) -> None:
    category = apps.get_model("cases", "Category")
    if apps.get_model("cases", "Case").objects.exists():
        return  # categories in use stay; a reversal never loses cases
    category.objects.filter(parent__isnull=False).delete()
    category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
