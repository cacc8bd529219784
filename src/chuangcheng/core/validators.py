from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

CHINESE_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(value: str) -> str:
    """Strip spaces, dashes and a +86/0086 prefix that spreadsheets and phones add."""
    digits = re.sub(r"[\s\-()]", "", str(value or ""))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_mobile(value: str) -> None:
    if not CHINESE_MOBILE.match(normalize_phone(value)):
        raise ValidationError(
            _("“%(value)s” is not a Chinese mobile number (11 digits starting with 13–19)."),
            code="bad_phone",
            params={"value": value},
        )


validate_code = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$",
    _("A code is 1–40 letters, digits, dots, dashes or underscores, starting with a letter or digit."),
    code="bad_code",
)


def mask_phone(value: str) -> str:
    """138****1234: enough to recognise, not enough to call."""
    if len(value) == 11:
        return f"{value[:3]}****{value[-4:]}"
    return "****" if value else ""
