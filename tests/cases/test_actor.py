"""Who acts on a case: a user, or SYSTEM acting on the rules; never None."""

from __future__ import annotations

import pytest

from chuangcheng.cases import services
from chuangcheng.cases.models import CaseEvent, State
from chuangcheng.core.workflow import SYSTEM, System, TransitionNotAllowed
from tests.cases.conftest import reported


def test_the_system_acts_on_the_rules_without_a_role_and_its_events_name_no_user(scene):
    case = reported(scene)
    services.accept_case(case, by=SYSTEM)
    services.dispatch_case(case, by=SYSTEM, unit=scene.unit)
    assert case.state == State.DISPATCHED
    event = CaseEvent.objects.get(case=case, action="dispatch")
    assert event.actor is None and event.actor_name == "system"
    assert event.deadline == case.deadline


def test_the_system_still_follows_the_state_rules(scene):
    case = reported(scene)
    with pytest.raises(TransitionNotAllowed):
        services.verify_case(case, by=SYSTEM)


def test_a_missing_actor_is_refused_rather_than_taken_for_the_system(scene):
    case = reported(scene)
    with pytest.raises(TypeError):
        services.accept_case(case, by=None)  # type: ignore[arg-type]
    case.refresh_from_db()
    assert case.state == State.REPORTED


def test_there_is_one_system_and_it_is_nobody_signed_in():
    assert System() is SYSTEM
    assert not SYSTEM.is_authenticated and repr(SYSTEM) == "SYSTEM"


def test_the_case_page_names_the_systems_steps_in_the_readers_language(scene, as_user):
    from django.urls import reverse

    case = reported(scene)
    services.accept_case(case, by=SYSTEM)
    page = as_user(scene.cast.street_admin).get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "· 系统" in page and "· system" not in page


def test_the_case_page_forms_show_no_label_for_their_hidden_version(scene, as_user):
    from django.urls import reverse

    case = reported(scene)
    page = as_user(scene.cast.street_admin).get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'name="version"' in page and ">Version" not in page and ">版本" not in page
