"""Password validators for what people here guess first (AUTH_PASSWORD_VALIDATORS): a password of
nothing but blanks, one short piece repeated (密码密码密码…), the product's or a place's name (in
characters or pinyin, with digits or symbols around it), and common passwords of Chinese users
(woaini1314, zhangsan…). Django's own validators still run for length and the English list."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The product's own names: the first thing an outsider tries.
PRODUCT_NAMES = ("创城", "创城办", "创文", "文明城市", "创建文明城市", "全国文明城市", "chuangcheng")

# Administrative endings dropped to get the name people say (光明路街道 → 光明路).
SUFFIXES = ("街道办事处", "街道办", "街道", "社区居委会", "居委会", "社区", "网格", "区", "县", "市", "镇", "乡")

# Our own short list of passwords common among Chinese users, in pinyin and digits (written for
# this project). Compared after lower-casing and dropping blanks; the words also with digits or
# symbols around them (zhangsan2024!).
COMMON_WORDS = (
    "woaini", "woainiya", "aini", "nihao", "mima", "mimamima", "zhangsan", "lisi", "wangwu", "zhaoliu",
    "zhangwei", "wangwei", "liwei", "wangfang", "liuyang", "xiaoming", "xiaohong", "laogong", "laopo",
    "baobei", "qinqin", "tiantian", "kaixin", "xingfu", "pingan", "facai", "zhongguo", "beijing",
    "shanghai", "huhehaote", "neimenggu", "admin", "administrator", "password", "passw0rd", "iloveyou",
    "qwerty", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abc", "abcd", "abcdef", "qq", "wechat", "weixin",
    "test", "guest", "user", "root", "welcome", "letmein",
)
COMMON_NUMBERS = (
    "5201314", "1314520", "520520", "1314", "520", "123456", "1234567", "12345678", "123456789",
    "1234567890", "0123456789", "147258369", "123123123", "987654321", "11223344", "88888888",
    "66666666", "168168", "518518", "1qaz2wsx", "1q2w3e4r", "qweasd", "a123456", "qq123456",
)

_NOT_LETTERS = re.compile(r"[\W\d_]+", re.UNICODE)


def _compact(text: str) -> str:
    """Lower case, full-width folded to ASCII, blanks removed."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def _letters(text: str) -> str:
    """The letters (or characters) of a password, without digits, symbols and blanks."""
    return _NOT_LETTERS.sub("", _compact(text))


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message of our own: Django 5.2 changed its message id and its Chinese
    catalogue still has the old one, so "too short" came out in English."""

    def get_error_message(self) -> str:
        return ngettext("The password is too short: it needs at least %(min_length)d character.",
                        "The password is too short: it needs at least %(min_length)d characters.",
                        self.min_length) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext("Your password needs at least %(min_length)d character.",
                        "Your password needs at least %(min_length)d characters.",
                        self.min_length) % {"min_length": self.min_length}


class NotBlankValidator:
    """A password of spaces, tabs or other blanks only."""

    def validate(self, password: str, user: Any = None) -> None:
        if not password.strip() or not "".join(unicodedata.normalize("NFKC", password).split()):
            raise ValidationError(_("The password cannot be only spaces or other blanks."), code="password_blank")

    def get_help_text(self) -> str:
        return _("Your password cannot be only spaces.")


class RepetitionValidator:
    """One short piece repeated (密码密码密码…, abcabcabc, 1212121212), or one or two characters."""

    def validate(self, password: str, user: Any = None) -> None:
        text = _compact(password)
        if len(set(text)) <= 2 or re.fullmatch(r"(.+?)\1+", text):
            raise ValidationError(_("The password repeats the same few characters; choose one that does not."),
                                  code="password_repeated")

    def get_help_text(self) -> str:
        return _("Your password cannot be the same few characters repeated.")


def _pinyin(name: str) -> list[str]:
    from pypinyin import lazy_pinyin  # loaded only when a password is being set

    return ["".join(lazy_pinyin(name))]


def place_names() -> set[str]:
    """The names of the districts, subdistricts and communities in the database and of the product,
    each also without its administrative ending and in pinyin, compacted."""
    from chuangcheng.org.models import Region

    names = set(PRODUCT_NAMES)
    levels = (Region.Level.DISTRICT, Region.Level.STREET, Region.Level.COMMUNITY)
    try:
        regions = list(Region.objects.filter(level__in=levels).values_list("name", flat=True))
    except DatabaseError:  # no tables yet (createadmin before migrate): the product's names still count
        regions = []
    for name in regions:
        names.add(name)
        for suffix in SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                names.add(name[: -len(suffix)])
                break
    spelled = {_compact(n) for n in names}
    for name in list(spelled):
        if not name.isascii():
            spelled.update(_compact(p) for p in _pinyin(name))
    return {n for n in spelled if len(n) >= 2}


class PlaceNameValidator:
    """The product's name or a place's (光明路, guangminglu, chuangcheng2026…)."""

    def validate(self, password: str, user: Any = None) -> None:
        letters = _letters(password)
        if letters and letters in place_names():
            raise ValidationError(_("The password is the name of this system or of a place here; anyone could "
                                    "guess it."), code="password_place_name")

    def get_help_text(self) -> str:
        return _("Your password cannot be the name of this system or of a street, district or community.")


class CommonChineseValidator:
    """Common passwords of Chinese users (woaini1314, zhangsan, 5201314…)."""

    def validate(self, password: str, user: Any = None) -> None:
        text, letters = _compact(password), _letters(password)
        digits = re.sub(r"\D", "", text)
        words = set(COMMON_WORDS)
        if (text in COMMON_NUMBERS or text in words or (letters and letters in words)
                or (not letters and digits in COMMON_NUMBERS)
                or any(text.startswith(n) and text[len(n):] in words for n in COMMON_NUMBERS)):
            raise ValidationError(_("The password is too common; choose one that is harder to guess."),
                                  code="password_too_common")

    def get_help_text(self) -> str:
        return _("Your password cannot be a commonly used password.")
