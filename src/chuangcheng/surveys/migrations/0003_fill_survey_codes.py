"""Give the existing surveys their random code (the same form as core.codes.random_code, written out
here so later changes to it cannot change this migration)."""

import secrets

from django.db import migrations

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def fill(apps, schema_editor):
    model = apps.get_model("surveys", "Survey")
    used = set(model.objects.exclude(code=None).values_list("code", flat=True))
    rows = list(model.objects.filter(code=None).only("pk"))
    for row in rows:
        code = None
        while code is None or code in used:
            code = "".join(secrets.choice(ALPHABET) for _i in range(10))
        used.add(code)
        row.code = code
    model.objects.bulk_update(rows, ["code"], batch_size=500)


def empty(apps, schema_editor):
    apps.get_model("surveys", "Survey").objects.update(code=None)


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0002_survey_code"),
    ]

    operations = [
        migrations.RunPython(fill, empty),
    ]
