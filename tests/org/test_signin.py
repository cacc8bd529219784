from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from chuangcheng.org.models import LoginAttempt
from tests.conftest import PASSWORD


def sign_in(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_street_admin_signs_in_and_lands_on_home(cast):
    client = Client()
    response = sign_in(client, "street_admin", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_pages_require_sign_in(cast):
    response = Client().get("/points/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_wrong_password_is_refused_in_chinese(cast):
    response = sign_in(Client(), "street_admin", "wrong password")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password(cast, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "street_admin", "wrong password")
    response = sign_in(client, "street_admin", PASSWORD)
    assert response.status_code == 200
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_the_window(cast, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "street_admin", "wrong password")
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    with time_machine.travel(later):
        assert sign_in(client, "street_admin", PASSWORD).status_code == 302


def test_a_good_sign_in_clears_earlier_failures(cast, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "street_admin", "wrong password")
    assert sign_in(client, "street_admin", PASSWORD).status_code == 302
    assert not LoginAttempt.objects.filter(username="street_admin", succeeded=False).exists()


def test_production_hashes_passwords_with_argon2():
    import importlib

    production = importlib.import_module("chuangcheng.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_sign_out_needs_a_post(cast, as_user):
    client = as_user(cast.street_admin)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302
