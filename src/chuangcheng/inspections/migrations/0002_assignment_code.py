"""Assignment.code, so that `inspections/board/visits/<code>/move|remove/` names a row by a code and not by its primary key.
Added empty here, filled for existing rows by 0003_fill_assignment_codes, made unique by 0004_assignment_code_unique."""

import django.db.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("inspections", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="code",
            field=django.db.models.CharField(max_length=12, null=True, editable=False, verbose_name="code"),
        ),
    ]
