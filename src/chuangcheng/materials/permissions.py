"""Named predicates: services use them to refuse, templates to show or hide an action.

The archive is the street office's: its admins keep it (upload, withdraw, set the assessment
date); its leaders read it, and so do those above the street (district logins). Communities
have no part in it: their staff do not see the archive at all (the documents are the office's
declaration to the assessors, and some name people)."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Region, Role
from chuangcheng.org.permissions import has_role, in_scope

READERS = (Role.STREET_ADMIN, Role.LEADER)
KEEPERS = (Role.STREET_ADMIN,)


def reads_materials(user: Any) -> bool:
    """Whether the user's role reads any archive at all (before looking at which street)."""
    return has_role(user, *READERS)


def can_read_materials(user: Any, street: Region) -> bool:
    return has_role(user, *READERS) and in_scope(user, street)


def can_keep_materials(user: Any, street: Region) -> bool:
    """Upload a document, withdraw one, set the assessment date."""
    return has_role(user, *KEEPERS) and in_scope(user, street)


can_upload = can_keep_materials
can_withdraw = can_keep_materials
can_set_assessment_date = can_keep_materials
