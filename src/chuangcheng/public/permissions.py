"""Who may act on residents' reports. Residents have no account: they are recognised by their
device or verified phone (see `is_reporter`). Staff act in their scope."""

from __future__ import annotations

from typing import Any

from chuangcheng.cases import permissions as case_permissions
from chuangcheng.org.models import Role
from chuangcheng.org.permissions import ADMIN_ROLES, has_role, in_scope
from chuangcheng.org.permissions import can_see_phone_numbers as _can_see_phone_numbers


def can_triage_report(user: Any, case: Any) -> bool:
    """Accept, reject or merge a resident's report: the offices of its region."""
    return bool(case_permissions.can_triage(user, case))


def can_moderate(user: Any, case: Any) -> bool:
    """Hide a photo or a report's text from the public page: street admins of its region."""
    return has_role(user, Role.STREET_ADMIN) and in_scope(user, case.grid)


def can_block_numbers(user: Any) -> bool:
    return has_role(user, Role.STREET_ADMIN)


def can_erase_for_resident(user: Any, case: Any) -> bool:
    """Erase a reporter's personal data on their request (by phone, say): the offices in scope."""
    return has_role(user, *ADMIN_ROLES) and in_scope(user, case.grid)


def can_see_reporter_phone(user: Any) -> bool:
    """Staff who call people see a reporter's number; others see it masked."""
    return bool(_can_see_phone_numbers(user))


def can_record_redemption(user: Any, region: Any) -> bool:
    """文明积分 redemptions are recorded by a community admin (or the street office) in scope."""
    return has_role(user, *ADMIN_ROLES) and in_scope(user, region)


def is_reporter(report: Any, *, device: str = "", phone: str = "") -> bool:
    """The reporter's own device (keyed hash of its cookie) or their verified phone."""
    if report.anonymized_at is not None:
        return False
    if device and report.device and device == report.device:
        return True
    return bool(phone and report.phone_verified and report.phone == phone)
