"""Residents' reports made before cases had a public flag are public."""

from typing import Any

from django.db import migrations


def mark_public(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(public_report__isnull=False).update(public=True)


class Migration(migrations.Migration):

    dependencies = [
        ("public", "0002_reporting_abuse_moderation_points"),
        ("cases", "0011_case_public"),
    ]

    operations = [
        # Backwards the column goes away with cases.0009, so there is nothing to undo here.
        migrations.RunPython(mark_public, migrations.RunPython.noop),
    ]
