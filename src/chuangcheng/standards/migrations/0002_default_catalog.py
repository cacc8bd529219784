"""Load the shipped default catalog (data/default_catalog.json) as version 1, so a fresh
`chuangcheng migrate` has a catalog in force. Same loader as `services.load_default_catalog`."""

from django.db import migrations
from django.utils import timezone

from chuangcheng.standards import loading


def load(apps, schema_editor):
    loading.load_catalog(
        loading.read_default_catalog(), m=loading.CatalogModels.from_apps(apps), now=timezone.now()
    )


def unload(apps, schema_editor):
    loading.unload_catalog(loading.read_default_catalog(), m=loading.CatalogModels.from_apps(apps))


class Migration(migrations.Migration):

    dependencies = [
        ("standards", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
