"""A street admin sets the planning rules on a page; they are audited and the next plan follows them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from chuangcheng.core.models import AuditEvent
from chuangcheng.inspections.models import PlanRules
from chuangcheng.inspections.services import plans


def test_the_street_admin_changes_the_rules_on_a_page(cast, as_user):
    admin = as_user(cast.street_admin)
    page = admin.get(reverse("inspections:rules"))
    assert page.status_code == 200 and 'value="3"' in page.content.decode()  # the default window
    response = admin.post(reverse("inspections:rules"), {
        "every_n_days": "2", "max_points_per_person": "10", "distance_limit_m": "150", "grace_hours": "1",
        "plan_at": "07:00",
    })
    assert response.status_code == 302
    rules = PlanRules.objects.get(street=cast.street)
    assert (rules.every_n_days, rules.distance_limit_m, rules.plan_at.hour) == (2, 150, 7)
    assert AuditEvent.objects.filter(object_type__icontains="planrules").exists()
    assert plans.rules_for(cast.street).every_n_days == 2


def test_bad_values_are_refused_and_nothing_is_stored(cast, as_user):
    admin = as_user(cast.street_admin)
    response = admin.post(reverse("inspections:rules"), {
        "every_n_days": "0", "max_points_per_person": "x", "distance_limit_m": "-5", "grace_hours": "99",
        "plan_at": "25:00",
    })
    assert response.status_code == 400
    assert not PlanRules.objects.exists()


def test_a_community_admin_reads_but_cannot_change_the_rules(cast, as_user):
    admin = as_user(cast.admin_a)
    page = admin.get(reverse("inspections:rules"))
    assert page.status_code == 200 and "disabled" in page.content.decode()
    response = admin.post(reverse("inspections:rules"), {"every_n_days": "1"})
    assert response.status_code == 403
    assert not PlanRules.objects.exists()
    with pytest.raises(PermissionDenied):
        plans.save_rules(cast.street, by=cast.admin_a, every_n_days=1)


def test_people_who_do_not_plan_cannot_open_the_rules(cast, as_user):
    assert as_user(cast.grid_worker_a).get(reverse("inspections:rules")).status_code == 403
