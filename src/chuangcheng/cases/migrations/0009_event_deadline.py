from django.db import migrations, models


class Migration(migrations.Migration):
    """The deadline an event sets, kept on the event so the daily rollups read it instead of replaying
    the deadline rules. Events written before this migration are filled by 0010."""

    dependencies = [
        ("cases", "0008_savedview_code_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="deadline",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
