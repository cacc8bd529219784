from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from chuangcheng.cases.loading import load_categories

    load_categories(apps.get_model("cases", "Category"))


def unload(apps: Any, schema_editor: Any) -> None:
    category = apps.get_model("cases", "Category")
    if apps.get_model("cases", "Case").objects.exists():
        return  # categories in use stay; a reversal never loses cases
    category.objects.filter(parent__isnull=False).delete()
    category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
