from __future__ import annotations

from django.test import Client

from chuangcheng.org.models import ApiToken
from tests.conftest import PASSWORD


def test_a_weak_new_password_is_refused(cast, as_user):
    client = as_user(cast.grid_worker_a)
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    cast.grid_worker_a.refresh_from_db()
    assert cast.grid_worker_a.check_password(PASSWORD)


def test_a_good_new_password_works_for_the_next_sign_in(cast, as_user):
    client = as_user(cast.grid_worker_a)
    new = "walk the grid every morning"
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new,
    })
    assert response.status_code == 302
    assert Client().login(username="grid_worker_a", password=new)


def test_a_token_made_on_the_account_page_is_shown_once_and_can_be_revoked(cast, as_user):
    client = as_user(cast.grid_worker_a)
    response = client.post("/accounts/", {"name": "我的手机"})
    key = response.context["new_key"]
    assert key.startswith("cc_")
    assert Client().get("/api/points", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert key not in client.get("/accounts/").content.decode()
    token = ApiToken.objects.get(user=cast.grid_worker_a)
    client.post("/accounts/", {"revoke": token.pk})
    assert Client().get("/api/points", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_nobody_revokes_another_persons_token(cast, as_user):
    from chuangcheng.org.services import create_api_token

    token, key = create_api_token(cast.admin_b, name="乙")
    as_user(cast.grid_worker_a).post("/accounts/", {"revoke": token.pk})
    token.refresh_from_db()
    assert not token.revoked


def test_a_street_admin_gives_a_locked_out_grid_worker_a_new_password(cast, as_user, settings):
    from tests import factories as f

    person = f.PersonFactory(code="GW1", region=cast.grid_a)
    cast.grid_worker_a.person = person
    cast.grid_worker_a.save()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        Client().post("/accounts/login/", {"username": "grid_worker_a", "password": "wrong"})
    response = as_user(cast.street_admin).post("/org/people/GW1/")
    new = response.context["new_password"]
    assert new and new in response.content.decode()
    assert Client().post("/accounts/login/", {"username": "grid_worker_a", "password": new}).status_code == 302


def test_a_community_admin_may_not_reset_a_password_outside_their_community(cast, as_user):
    from django.core.exceptions import PermissionDenied

    from chuangcheng.org.services import reset_password
    from tests import factories as f

    person = f.PersonFactory(code="B-ADMIN", region=cast.community_b)
    cast.admin_b.person = person
    cast.admin_b.save()
    page = as_user(cast.admin_a).get("/org/people/B-ADMIN/")
    assert page.status_code == 404
    import pytest

    with pytest.raises(PermissionDenied):
        reset_password(cast.admin_b, by=cast.admin_a)
    with pytest.raises(PermissionDenied):
        reset_password(cast.street_admin, by=cast.street_admin)


def test_changing_the_password_revokes_every_api_token(cast, as_user):
    from chuangcheng.org.services import create_api_token

    _token, key = create_api_token(cast.grid_worker_a, name="手机")
    client = as_user(cast.grid_worker_a)
    new = "walk the grid every morning"
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new,
                                                   "new_password2": new})
    assert response.status_code == 302
    assert Client().get("/api/points", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert not ApiToken.objects.filter(user=cast.grid_worker_a, revoked=False).exists()
    assert "令牌已全部作废" in client.get("/accounts/").content.decode()


def test_a_password_reset_by_an_admin_revokes_every_api_token(cast):
    from chuangcheng.org.services import create_api_token, reset_password

    _token, key = create_api_token(cast.grid_worker_a, name="手机")
    reset_password(cast.grid_worker_a, by=cast.street_admin)
    assert Client().get("/api/points", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_the_account_page_lists_only_working_tokens_with_their_expiry(cast, as_user, settings):
    import datetime as dt

    from chuangcheng.core import clock
    from chuangcheng.org.services import create_api_token

    old, _key = create_api_token(cast.grid_worker_a, name="去年的手机")
    ApiToken.objects.filter(pk=old.pk).update(created_at=clock.now() - dt.timedelta(days=settings.API_TOKEN_DAYS + 1))
    new, _key = create_api_token(cast.grid_worker_a, name="新手机")
    page = as_user(cast.grid_worker_a).get("/accounts/").content.decode()
    assert "新手机" in page and "去年的手机" not in page
    assert clock.local(new.expires_at).strftime("%Y-%m-%d") in page


def test_an_operator_setting_a_password_in_the_back_office_revokes_the_logins_tokens(cast):
    from chuangcheng.org.services import create_api_token
    from tests import factories as f

    operator = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    _token, key = create_api_token(cast.grid_worker_a, name="手机")
    client = Client()
    client.force_login(operator)
    new = "walk the grid every morning"
    response = client.post(f"/admin/org/user/{cast.grid_worker_a.pk}/password/",
                           {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Client().get("/api/points", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_the_back_office_password_page_is_the_account_one(cast, as_user):
    response = as_user(cast.grid_worker_a).get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
