"""Weak new passwords are refused on change, each with a reason in Chinese: blanks only, one piece
repeated, the product's or a place's name (also in pinyin), common passwords of Chinese users."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.conftest import PASSWORD


def change(client, new: str):
    return client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new,
                                               "new_password2": new})


@pytest.mark.parametrize("weak", [
    " " * 10, "\t" * 10, "\u3000" * 10, "chuangcheng", "Chuangcheng2026", "guangminglu", "GuangMingLu123!",
    "光明路街道", "huiminqu2026", "jiashequ1234", "密码密码密码密码密码", "abcabcabcabc", "1212121212",
    "woaini1314", "zhangsan2024", "5201314woaini", "WoAiNi520520", "mimamima123", "创城创城创城创城",
])
def test_a_weak_new_password_is_refused_with_a_chinese_reason(cast, as_user, weak):
    client = as_user(cast.grid_worker_a)
    response = change(client, weak)
    assert response.status_code == 200
    errors = response.context["form"].errors["new_password2"]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors), errors
    cast.grid_worker_a.refresh_from_db()
    assert cast.grid_worker_a.check_password(PASSWORD)


def test_too_short_is_said_in_chinese(cast, as_user):
    response = change(as_user(cast.grid_worker_a), "x7#q")
    assert "密码太短" in " ".join(response.context["form"].errors["new_password2"])


@pytest.mark.parametrize("good", ["walk the grid every morning", "光明路上的梧桐叶子黄了", "zq8#Lm2!vT"])
def test_good_passwords_pass(cast, good):
    validate_password(good, cast.grid_worker_a)


def test_the_validators_alone_explain_themselves(cast):
    with pytest.raises(ValidationError) as refused:
        validate_password("guangminglu")
    assert {e.code for e in refused.value.error_list} >= {"password_place_name"}
