"""Every Survey has its code now: required and unique, a fresh random one for each new row."""

import django.db.models
from django.db import migrations

import chuangcheng.core.codes


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0003_fill_survey_codes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="survey",
            name="code",
            field=django.db.models.CharField(
                default=chuangcheng.core.codes.random_code, editable=False, max_length=12, unique=True,
                verbose_name="code",
            ),
        ),
    ]
