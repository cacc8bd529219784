"""Who may issue and revoke Open311 API keys: the subdistrict office (street admins) for its own
subdistrict; operators everywhere."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Region, Role
from chuangcheng.org.permissions import has_role, in_scope


def can_manage_keys(user: Any, street: Region) -> bool:
    return street.level == Region.Level.STREET and has_role(user, Role.STREET_ADMIN) and in_scope(user, street)


def can_see_keys_page(user: Any) -> bool:
    return has_role(user, Role.STREET_ADMIN)
