from django.db import migrations, models


class Migration(migrations.Migration):
    """The deadline an event sets, kept on the event so the daily rollups read it instead of replaying
    the deadline rules. Events written before this migration are filled by 0007."""

    dependencies = [
        ("cases", "0005_indexes_for_daily_rollups"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="deadline",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
