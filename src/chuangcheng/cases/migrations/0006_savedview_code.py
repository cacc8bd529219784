"""SavedView.code, so that `cases/views/<code>/delete/` names a row by a code and not by its primary key.
Added empty here, filled for existing rows by 0007_fill_savedview_codes, made unique by 0008_savedview_code_unique."""

import django.db.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_indexes_for_daily_rollups"),
    ]

    operations = [
        migrations.AddField(
            model_name="savedview",
            name="code",
            field=django.db.models.CharField(max_length=12, null=True, editable=False, verbose_name="code"),
        ),
    ]
