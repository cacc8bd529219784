"""A case shown to the public: residents' reports, or a case the street office marked public."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0010_backfill_event_deadlines"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="public",
            field=models.BooleanField(default=False, verbose_name="shown to the public"),
        ),
    ]
