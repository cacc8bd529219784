"""InboxItem.code, so that `inbox/<code>/open/` names a row by a code and not by its primary key.
Added empty here, filled for existing rows by 0004_fill_inboxitem_codes, made unique by 0005_inboxitem_code_unique."""

import django.db.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("notify", "0002_message_sent_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="inboxitem",
            name="code",
            field=django.db.models.CharField(max_length=12, null=True, editable=False, verbose_name="code"),
        ),
    ]
