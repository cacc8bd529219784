"""A saved case view is named in its address by its code, and only its owner removes it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from chuangcheng.cases.models import SavedView
from tests.conftest import Cast


def test_a_saved_view_is_removed_by_its_code_and_only_by_its_owner(cast: Cast, as_user: Any) -> None:
    mine = SavedView.objects.create(user=cast.street_admin, name="超期的", query="overdue=1")
    theirs = SavedView.objects.create(user=cast.admin_a, name="超期的", query="overdue=1")
    assert mine.code and mine.code != theirs.code and not mine.code.isdigit()
    url = reverse("cases:delete_view", args=[mine.code])
    assert str(mine.pk) not in url.split("/")
    assert as_user(cast.street_admin).get(reverse("cases:list")).content.decode().count(url) == 1
    as_user(cast.street_admin).post(reverse("cases:delete_view", args=[theirs.code]))
    assert SavedView.objects.filter(pk=theirs.pk).exists()
    assert as_user(cast.street_admin).post(url).status_code == 302
    assert not SavedView.objects.filter(pk=mine.pk).exists()
