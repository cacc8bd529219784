from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_due_soon_and_views'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['closed_at'], name='case_closed_at'),
        ),
        migrations.AddIndex(
            model_name='caseevent',
            index=models.Index(fields=['at'], name='caseevent_at'),
        ),
    ]
