"""Fill `CaseEvent.deadline` for the clock events written before 0009, from what the rows themselves
hold, so the daily rollups can read deadlines from the events. The last clock event of a case takes
the deadline the case holds now (only clock events change it); a granted extension takes the time
it granted; a send-back stops the clock. An earlier dispatch, redispatch, reopen or resume keeps no
deadline: working it out would mean replaying today's deadline rules and holiday table inside an
old migration, which a later change to either would silently alter (data migrations use the
historical models only). Reversing empties the column again."""

import datetime as dt

from django.db import migrations

CLOCK_ACTIONS = ["dispatch", "redispatch", "reopen", "grant_extension", "resume", "send_back"]


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    events = CaseEvent.objects.filter(action__in=CLOCK_ACTIONS, deadline__isnull=True).exclude(action="send_back")
    case_ids = sorted(set(events.values_list("case_id", flat=True)))
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        held = dict(Case.objects.filter(pk__in=chunk).values_list("pk", "deadline"))
        by_case = {}
        for event in CaseEvent.objects.filter(case_id__in=chunk, action__in=CLOCK_ACTIONS).order_by("at", "id"):
            by_case.setdefault(event.case_id, []).append(event)
        for case_id, clock_events in by_case.items():
            for index, event in enumerate(clock_events):
                deadline = None
                if index == len(clock_events) - 1:
                    deadline = held[case_id]
                elif event.action == "grant_extension" and event.data.get("until"):
                    deadline = dt.datetime.fromisoformat(event.data["until"])
                if event.deadline != deadline:
                    CaseEvent.objects.filter(pk=event.pk).update(deadline=deadline)


def empty(apps, schema_editor):
    apps.get_model("cases", "CaseEvent").objects.update(deadline=None)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0009_event_deadline"),
    ]

    operations = [
        migrations.RunPython(fill, empty),
    ]
