"""Loading the shipped problem categories (data/categories.json), for tests whose database was
emptied by a transactional test. Migration 0002_default_categories loads its own frozen copy of
this data; a test checks that the two still give the same rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data") / "categories.json"


def load_categories(category_model: Any) -> int:
    """Create the shipped categories that are missing; never change ones that exist (admins may
    have edited them). Returns how many were created."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    created = 0
    for g_order, group in enumerate(data["groups"], start=1):
        parent, made = category_model.objects.get_or_create(
            code=group["code"], defaults={"name": group["name"], "sort_order": g_order * 100, "public": True}
        )
        created += int(made)
        for c_order, child in enumerate(group["children"], start=1):
            _obj, made = category_model.objects.get_or_create(
                code=child["code"],
                defaults={
                    "name": child["name"], "parent": parent, "sort_order": g_order * 100 + c_order,
                    "public": child.get("public", True), "campaign_label": child.get("campaign", ""),
                    "limit_amount": child["limit"]["amount"], "limit_unit": child["limit"]["unit"],
                },
            )
            created += int(made)
    return created
