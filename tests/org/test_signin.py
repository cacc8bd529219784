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


# --- throttling that stops guessing without locking other people out --------------------------

ATTACKER = "203.0.113.9"


def from_address(ip: str, **extra: str) -> Client:
    return Client(REMOTE_ADDR=ip, **extra)


def spray(client: Client, settings, n: int | None = None) -> None:
    for i in range(n or settings.LOGIN_ADDRESS_FAILURE_LIMIT + 5):
        sign_in(client, f"nobody{i}", "guess123456")


def test_made_up_names_from_one_address_lock_nobody_else_out(cast, settings):
    attacker = from_address(ATTACKER)
    spray(attacker, settings)
    neighbour = from_address(ATTACKER)  # the same office NAT
    assert sign_in(neighbour, "street_admin", PASSWORD).status_code == 302
    assert sign_in(from_address("198.51.100.1"), "admin_a", PASSWORD).status_code == 302


def test_a_throttled_address_gets_one_guess_per_account_in_chinese(cast, settings):
    attacker = from_address(ATTACKER)
    spray(attacker, settings)
    response = sign_in(attacker, "grid_worker_a", "guess123456")
    assert "来自您所在网络的登录失败次数过多" in response.content.decode()
    # Even the right password is not looked at again from there in the window: guessing stops.
    response = sign_in(attacker, "grid_worker_a", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in attacker.session
    # The account itself is not locked: its owner elsewhere signs in.
    assert sign_in(from_address("198.51.100.1"), "grid_worker_a", PASSWORD).status_code == 302


def test_an_accounts_wait_grows_with_each_failure_after_the_lock(cast, settings):
    client = from_address("198.51.100.1")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "street_admin", "wrong password")
    window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start + window + dt.timedelta(minutes=1), tick=False):
        sign_in(client, "street_admin", "wrong again")  # the sixth: the wait doubles
        assert "锁定 30 分钟" in sign_in(client, "street_admin", PASSWORD).content.decode()
    with time_machine.travel(start + 2 * window + dt.timedelta(minutes=2), tick=False):
        assert sign_in(client, "street_admin", PASSWORD).status_code == 200  # still waiting
    with time_machine.travel(start + 3 * window + dt.timedelta(minutes=2), tick=False):
        assert sign_in(client, "street_admin", PASSWORD).status_code == 302


def test_behind_a_proxy_failures_count_for_the_real_client_address(cast, settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    sign_in(from_address("127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER), "nobody", "guess123456")
    # A client that is not our proxy cannot choose the address its failures are counted under.
    sign_in(from_address("198.51.100.1", HTTP_X_FORWARDED_FOR="192.0.2.1"), "nobody", "guess123456")
    assert sorted(LoginAttempt.objects.values_list("ip", flat=True)) == ["198.51.100.1", ATTACKER]


def test_behind_a_proxy_one_sprayer_does_not_lock_out_everyone_behind_it(cast, settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    spray(from_address("127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER), settings)
    assert sign_in(from_address("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1"),
                   "grid_worker_a", "wrong password").status_code == 200
    response = sign_in(from_address("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1"), "grid_worker_a", PASSWORD)
    assert response.status_code == 302


def test_the_token_endpoint_answers_a_throttled_address_with_429(cast, settings):
    spray(from_address(ATTACKER), settings)
    client = from_address(ATTACKER)
    response = client.post("/api/auth/token", {"username": "grid_worker_a", "password": "guess123456"},
                           content_type="application/json")
    assert response.status_code == 429 and response.json()["error"]["code"] == "throttled"
    response = from_address("198.51.100.1").post("/api/auth/token", {"username": "grid_worker_a", "password": PASSWORD},
                                                 content_type="application/json")
    assert response.status_code == 201


def test_the_back_office_login_page_is_no_way_around_the_lock(cast, settings):
    client = from_address("198.51.100.1")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "street_admin", "password": "wrong password"})
    response = client.post("/admin/login/", {"username": "street_admin", "password": PASSWORD})
    assert response.status_code == 200 and "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.filter(username="street_admin", succeeded=False).count() == settings.LOGIN_FAILURE_LIMIT
