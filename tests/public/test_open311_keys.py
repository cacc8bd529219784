"""API keys: the subdistrict office issues one per outside system (shown once, only its hash kept),
revokes it, and both are in the change log; from its page or the command line."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client

from chuangcheng.core.models import AuditEvent
from chuangcheng.org.models import Role
from chuangcheng.public.models import Open311Client
from chuangcheng.public.open311 import permissions, services
from tests import factories as f
from tests.conftest import Cast, client_for


def test_an_issued_key_is_kept_only_as_its_hash_and_logged(cast: Cast) -> None:
    holder, key = services.issue_key(street=cast.street, name="12345热线", contact="王工 0471-1234567",
                                     by=cast.street_admin)
    assert key.startswith("o311_") and len(key) > 40
    assert holder.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(Open311Client.objects.filter(pk=holder.pk).values().get())
    assert holder.prefix == key[5:13]
    log = AuditEvent.objects.get(action="create", object_type="public.open311client")
    assert log.actor == cast.street_admin and key not in str(log.changes)


def test_only_the_street_admin_of_the_subdistrict_manages_its_keys(cast: Cast) -> None:
    other_street = f.street(cast.district, code="150103002", name="环河街街道")
    other_admin = f.UserFactory(username="other_street", role=Role.STREET_ADMIN, scope=other_street)
    assert permissions.can_manage_keys(cast.street_admin, cast.street)
    for user in [cast.admin_a, cast.leader, cast.grid_worker_a, other_admin]:
        assert not permissions.can_manage_keys(user, cast.street)
        with pytest.raises(PermissionDenied):
            services.issue_key(street=cast.street, name="x", by=user)
    holder, _key = services.issue_key(street=cast.street, name="x", by=cast.street_admin)
    with pytest.raises(PermissionDenied):
        services.revoke_key(holder, by=other_admin)


def test_the_page_issues_a_key_once_and_revokes_it(cast: Cast) -> None:
    browser = client_for(cast.street_admin)
    assert browser.get("/open311/v2/keys/").status_code == 200
    response = browser.post("/open311/v2/keys/", {"name": "随手拍App", "contact": "李工"})
    assert response.status_code == 200
    holder = Open311Client.objects.get(name="随手拍App")
    shown = response.content.decode()
    start = shown.index("o311_" + holder.prefix)
    key = shown[start:shown.index("<", start)]
    assert holder.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in browser.get("/open311/v2/keys/").content.decode()  # shown only once

    browser.post("/open311/v2/keys/", {"revoke": str(holder.pk)})
    holder.refresh_from_db()
    assert holder.revoked
    assert AuditEvent.objects.filter(action="update", object_type="public.open311client", actor=cast.street_admin,
                                     changes={"revoked": [False, True]}).count() == 1
    assert browser.post("/open311/v2/requests.json", {"api_key": key}).status_code == 403


def test_a_nameless_key_is_refused_with_a_message(cast: Cast) -> None:
    response = client_for(cast.street_admin).post("/open311/v2/keys/", {"name": "  "})
    assert response.status_code == 200
    assert b'class="errorlist"' in response.content
    assert not Open311Client.objects.exists()


@pytest.mark.parametrize("who", ["admin_a", "leader", "grid_worker_a"])
def test_other_roles_cannot_open_the_page(cast: Cast, who: str) -> None:
    assert client_for(getattr(cast, who)).get("/open311/v2/keys/").status_code == 403


def test_the_page_needs_a_sign_in(client: Client, db: None) -> None:
    response = client.get("/open311/v2/keys/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_command_prints_a_working_key_and_revokes_it(cast: Cast, client: Client) -> None:
    out = io.StringIO()
    call_command("open311_key", "--street", cast.street.code, "--name", "城市热线", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    holder = Open311Client.objects.get(name="城市热线")
    assert holder.street == cast.street and holder.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert AuditEvent.objects.get(action="create", object_type="public.open311client").actor is None

    call_command("open311_key", "--street", cast.street.code, "--revoke", key[:13], stdout=io.StringIO())
    holder.refresh_from_db()
    assert holder.revoked


@pytest.mark.parametrize("args", [["--street", "NOPE", "--name", "x"], ["--street", "150103", "--name", "x"],
                                  ["--street", "150103001", "--name", ""],
                                  ["--street", "150103001", "--revoke", "zzzz"]])
def test_the_command_refuses_bad_input(cast: Cast, args: list[Any]) -> None:
    with pytest.raises(CommandError):
        call_command("open311_key", *args, stdout=io.StringIO())
    assert not Open311Client.objects.exists()
