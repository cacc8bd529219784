"""The shipped satisfaction questions carried "do not read out 不清楚" as their hint, so residents
answering on their own read an instruction meant for the interviewer: move it to the interviewer's
note (the text is written out here so later changes to the templates cannot change this migration)."""

from django.db import migrations

NOT_READ_OUT = "“不清楚”不读出，受访者主动表示不了解时选择。"


def move(apps, schema_editor):
    model = apps.get_model("surveys", "Question")
    model.objects.filter(help_text=NOT_READ_OUT, interviewer_note="").update(help_text="", interviewer_note=NOT_READ_OUT)


def back(apps, schema_editor):
    model = apps.get_model("surveys", "Question")
    model.objects.filter(help_text="", interviewer_note=NOT_READ_OUT).update(help_text=NOT_READ_OUT, interviewer_note="")


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0005_question_interviewer_note"),
    ]

    operations = [
        migrations.RunPython(move, back),
    ]
