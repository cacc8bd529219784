"""An index on the deadline each clock event recorded: the daily rollups find the deadlines that
fell in a day (reports.rates, 按期处置率) without reading the whole history."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_case_rating"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(fields=["deadline"], name="caseevent_deadline"),
        ),
    ]
