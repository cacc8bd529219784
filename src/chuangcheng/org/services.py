"""Every write to the organization: regions, units, people and logins."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuangcheng.core.services import save_audited
from chuangcheng.core.validators import normalize_phone
from chuangcheng.org import permissions
from chuangcheng.org.models import ApiToken, Person, Region, Role, Unit, User, tokens_changed

REGION_FIELDS = ("name", "boundary", "households", "population", "sort_order")
UNIT_FIELDS = ("name", "kind", "region", "head_name", "head_phone", "liaison_name", "liaison_phone",
               "address", "active")
PERSON_FIELDS = ("name", "phone", "region", "unit", "post", "party_member", "volunteer", "active")


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _system_or(by: Any, check: bool) -> bool:
    """`by=None` is the system itself (demo generator, migrations, CLI run by the operator)."""
    return by is None or check


@transaction.atomic
def save_region(
    *, by: Any, code: str, name: str, level: int, parent: Region | None, **fields: Any
) -> tuple[Region, bool]:
    """Create a region or change an existing one (found by its stable code)."""
    region = Region.objects.filter(code=code).first()
    anchor = parent if region is None else region
    _require(
        _system_or(by, anchor is not None and permissions.can_manage_region(by, anchor)),
        _("You may only change regions inside your own scope."),
    )
    if region is None:
        region = Region(code=code, level=level, parent=parent)
    else:
        if region.level != level or region.parent_id != (parent.pk if parent else None):
            raise ValidationError(
                {"parent": _("Region %(code)s already exists under another parent or at another level; "
                             "codes are stable and a region is not moved by an import.") % {"code": code}}
            )
    region.path = region.build_path()
    values = {"name": name, **{k: v for k, v in fields.items() if k in REGION_FIELDS}}
    return save_audited(region, by=by, values=values, region_path=region.path)


@transaction.atomic
def save_unit(*, by: Any, code: str, **fields: Any) -> tuple[Unit, bool]:
    unit = Unit.objects.select_related("region").filter(code=code).first()
    target_region = fields.get("region") or (unit.region if unit else None)
    _require(
        _system_or(by, target_region is not None and permissions.can_manage_region(by, target_region)
                   and (unit is None or permissions.can_manage_region(by, unit.region))),
        _("You may only change units inside your own scope."),
    )
    for key in ("head_phone", "liaison_phone"):
        if fields.get(key):
            fields[key] = normalize_phone(fields[key])
    unit = unit or Unit(code=code)
    values = {k: v for k, v in fields.items() if k in UNIT_FIELDS}
    return save_audited(unit, by=by, values=values, region_path=target_region.path if target_region else "")


@transaction.atomic
def save_person(*, by: Any, code: str, **fields: Any) -> tuple[Person, bool]:
    person = Person.objects.select_related("region").filter(code=code).first()
    target_region = fields.get("region") or (person.region if person else None)
    _require(
        _system_or(by, target_region is not None and permissions.can_manage_region(by, target_region)
                   and (person is None or permissions.can_manage_region(by, person.region))),
        _("You may only change people inside your own scope."),
    )
    unit = fields.get("unit")
    if unit is not None and (person is None or person.unit_id != unit.pk):
        _require(_system_or(by, permissions.can_assign_unit(by, unit)),
                 _("The responsible unit %(code)s is outside your scope.") % {"code": unit.code})
    if fields.get("phone"):
        fields["phone"] = normalize_phone(fields["phone"])
    person = person or Person(code=code)
    values = {k: v for k, v in fields.items() if k in PERSON_FIELDS}
    return save_audited(person, by=by, values=values, region_path=target_region.path if target_region else "")


@transaction.atomic
def save_login(
    *,
    by: Any,
    username: str,
    role: str,
    scope: Region,
    person: Person | None = None,
    password: str | None = None,
    password_hash: str | None = None,
    is_staff: bool | None = None,
) -> tuple[User, bool]:
    """Create or change a login. Admin roles get the back office (Django admin), scoped.
    `password_hash` (from make_password) lets a caller that creates many logins with one password
    hash it once: Argon2 is slow on purpose."""
    _require(
        _system_or(by, permissions.can_manage_region(by, scope)),
        _("You may only give logins inside your own scope."),
    )
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    _require(_system_or(by, permissions.can_grant_role(by, role, scope)),
             _("You may not give the role %(role)s.") % {"role": Role(role).label})
    if person is not None:
        _require(_system_or(by, permissions.can_manage_region(by, person.region)),
                 _("You may only change people inside your own scope."))
        unit = person.unit
        if unit is not None:
            _require(_system_or(by, permissions.can_assign_unit(by, unit)),
                     _("The responsible unit %(code)s is outside your scope.") % {"code": unit.code})
    user = User.objects.filter(username=username).first()
    if user is not None:
        # Taking over somebody else's login (a street admin's, an operator's) is changing it.
        _require(_system_or(by, not user.is_superuser and user.scope is not None
                            and permissions.can_manage_region(by, user.scope)),
                 _("You may only give logins inside your own scope."))
    creating = user is None
    user = user or User(username=username)
    staff = is_staff if is_staff is not None else role in permissions.ADMIN_ROLES
    values = {"role": role, "scope": scope, "person": person, "is_staff": staff}
    if creating:
        if password_hash:
            user.password = password_hash
        elif password:
            user.set_password(password)
        else:
            user.set_unusable_password()
    user, changed = save_audited(user, by=by, values=values, region_path=scope.path,
                                 exclude_from_validation=["password"])
    if not creating and (password or password_hash):
        if password_hash:
            user.password = password_hash
        else:
            user.set_password(password)
        user.save(update_fields=["password"])
        revoke_all_api_tokens(user)  # a new password: tokens made with the old one go
    if staff:
        grant_back_office(user)
    return user, changed or creating


def grant_back_office(user: User) -> None:
    """Admin roles edit regions, units, people and points in the Django admin (scoped there)."""
    from django.contrib.auth.models import Permission

    codenames = ["view_region", "change_region", "add_region", "view_unit", "change_unit", "add_unit",
                 "view_person", "change_person", "add_person", "view_point", "change_point", "add_point",
                 "view_pointphoto", "add_pointphoto"]
    if user.role == Role.STREET_ADMIN:
        codenames += ["view_catalogversion", "view_checkitem", "change_checkitem", "add_checkitem",
                      "view_checkgroup", "change_checkgroup", "view_typeprofile", "change_typeprofile",
                      "view_pointtype", "view_auditevent"]
    perms = Permission.objects.filter(
        codename__in=codenames, content_type__app_label__in=["org", "places", "standards", "core"]
    )
    user.user_permissions.add(*perms)


def create_api_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    """A new personal token; the key is returned once and only its hash is kept."""
    import secrets

    if not user.is_active:
        raise PermissionDenied(_("This account is disabled."))
    name = (name or "").strip()[:80] or _("mobile client")
    key = "cc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[3:11], key_hash=ApiToken.hash_key(key))
    return token, key


def revoke_api_token(token: ApiToken, *, by: User) -> None:
    if token.user_id != by.pk and not by.is_superuser:
        raise PermissionDenied(_("You may only revoke your own tokens."))
    token.revoked = True
    token.save(update_fields=["revoked"])


def revoke_all_api_tokens(user: User) -> int:
    """Every token of a login stops working: its password changed (whoever knew the old one may
    have made a token with it). Returns how many were still in use."""
    revoked = ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
    tokens_changed.send(sender=ApiToken)  # an update() sends no post_save
    return revoked


@transaction.atomic
def password_changed(user: User) -> None:
    """After the owner changed their password (the account page): the old tokens go with it."""
    revoke_all_api_tokens(user)


@transaction.atomic
def reset_password(user: User, *, by: Any) -> str:
    """Give a login a new temporary password (shown once to the admin, who passes it on) and lift
    a sign-in lockout. Only an admin whose scope covers the login's scope may do it."""
    import secrets

    from chuangcheng.core import audit
    from chuangcheng.core.models import AuditEvent
    from chuangcheng.org.models import LoginAttempt

    _require(
        permissions.can_reset_password(by, user),
        _("You may only reset passwords of logins inside your own scope."),
    )
    # Easy to read out and type on a phone: no 0/O, 1/l/I; three groups of four.
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    password = "-".join("".join(secrets.choice(alphabet) for _i in range(4)) for _j in range(3))
    user.set_password(password)
    user.save(update_fields=["password"])
    revoke_all_api_tokens(user)
    LoginAttempt.objects.filter(username__iexact=user.username, succeeded=False).delete()
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=user,
                 changes={"password": ["***", "***"]}, region_path=user.scope.path if user.scope else "",
                 note="password reset")
    return password
