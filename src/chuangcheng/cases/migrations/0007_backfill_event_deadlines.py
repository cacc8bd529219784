"""Fill `CaseEvent.deadline` for the clock events written before 0006, so the daily rollups can read
every deadline from the events. The last clock event of a case takes the deadline the case holds
now (only clock events change it); a granted extension takes the time granted; a send-back stops
the clock; the others are replayed once with the deadline rules as they stand at this migration:
the category's time limit from the event (halved for urgent cases), a resume adding the working
time the case was paused. The working calendar is data (core.CalendarDay), read through
core.workcal. Reversing empties the column again."""

import datetime as dt

from django.db import migrations

CLOCK_ACTIONS = ["dispatch", "redispatch", "reopen", "grant_extension", "resume", "send_back"]


def fill(apps, schema_editor):
    from chuangcheng.core import workcal

    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    events = CaseEvent.objects.filter(action__in=CLOCK_ACTIONS, deadline__isnull=True).exclude(action="send_back")
    case_ids = sorted(set(events.values_list("case_id", flat=True)))
    calendar = None
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        cases = {c.pk: c for c in Case.objects.filter(pk__in=chunk).select_related("category")}
        by_case = {}
        for event in CaseEvent.objects.filter(case_id__in=chunk, action__in=CLOCK_ACTIONS).order_by("at", "id"):
            by_case.setdefault(event.case_id, []).append(event)
        for case_id, clock_events in by_case.items():
            case = cases[case_id]
            deadline = None
            for index, event in enumerate(clock_events):
                if index == len(clock_events) - 1:
                    deadline = case.deadline
                elif event.action in {"dispatch", "redispatch", "reopen"}:
                    amount = case.category.limit_amount
                    if case.severity == "urgent":
                        amount = max(1, (amount + 1) // 2)
                    calendar = calendar or workcal.WorkCalendar()
                    deadline = workcal.deadline(event.at, amount, case.category.limit_unit, calendar=calendar)
                elif event.action == "grant_extension" and event.data.get("until"):
                    deadline = dt.datetime.fromisoformat(event.data["until"])
                elif event.action == "resume" and deadline is not None:
                    calendar = calendar or workcal.WorkCalendar()
                    deadline = calendar.extend_by_working_seconds(
                        deadline, float(event.data.get("paused_working_seconds") or 0))
                elif event.action == "send_back":
                    deadline = None
                if event.deadline != deadline:
                    CaseEvent.objects.filter(pk=event.pk).update(deadline=deadline)


def empty(apps, schema_editor):
    apps.get_model("cases", "CaseEvent").objects.update(deadline=None)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_event_deadline"),
        ("core", "0004_seed_calendar_days"),
    ]

    operations = [
        migrations.RunPython(fill, empty),
    ]
