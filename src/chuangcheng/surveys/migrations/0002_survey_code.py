"""Survey.code, so that the staff pages (`surveys/<code>/…`) and the API (`/api/surveys/{code}`) name a
survey by a code and not by its primary key.
Added empty here, filled for existing rows by 0003_fill_survey_codes, made unique by 0004_survey_code_unique."""

import django.db.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="code",
            field=django.db.models.CharField(max_length=12, null=True, editable=False, verbose_name="code"),
        ),
    ]
