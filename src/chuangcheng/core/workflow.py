"""The workflow kernel: a declarative transition table per workflow object and one optimistic
`move()` that checks permission, state and version and writes the one append-only event row.

A workflow (cases, task lists; later the problem lists from above, 12345 hotline work orders,
assessment rounds) declares its `Transition`s once in a `Workflow`. Everything else is derived from
that table: the services call `check()` and `move()`, the pages draw a button and a form per
action `offered()`, the API answers `allowed()` and mounts one endpoint per offered transition, and
the refusals (`TransitionNotAllowed`, `PermissionDenied`, `Conflict`) read the same way everywhere.
See docs/architecture.md for a worked example.

Who acts is an `Actor`: a signed-in user, or `SYSTEM` — the system acting on the rules (a job, an
inspection's automatic dispatch, a resident's answer taken on the rules, the demo generator). The
system is not held to the role predicates, only to the state rules; its events store no user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeAlias, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F
from django.utils.functional import Promise

from chuangcheng.core import clock

__all__ = [
    "SYSTEM",
    "Actions",
    "Actor",
    "Conflict",
    "Guard",
    "System",
    "Transition",
    "TransitionNotAllowed",
    "Workflow",
    "actor_name",
    "actor_user",
    "check_actor",
    "transition",
]


# --- who acts --------------------------------------------------------------------------------


class System:
    """The system acting on the rules. There is one: `SYSTEM`. It is never authenticated, holds no
    role and no scope, so every role predicate says no to it; the kernel lets it act where the state
    allows, and its events keep a null actor named "system"."""

    _instance: System | None = None
    is_authenticated: Final = False
    is_active: Final = False
    is_superuser: Final = False
    pk: Final = None
    display_name: Final = "system"

    def __new__(cls) -> System:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = System()

# A person signed in (the project's `org.User`; core sits below org, so it is named here by
# Django's base class), or the system.
Actor: TypeAlias = "AbstractBaseUser | System"

def check_actor(by: object) -> None:
    """Refuse `None` and anything else that is neither a user nor `SYSTEM`: a missing actor is a bug,
    not the system."""
    if by is SYSTEM or isinstance(by, AbstractBaseUser):
        return
    raise TypeError(f"`by` must be a user or SYSTEM, not {by!r}")


def actor_user(by: Actor) -> Any:
    """The user to store on an event or a row (None for the system)."""
    return None if by is SYSTEM or not getattr(by, "is_authenticated", False) else by


def actor_name(by: Actor) -> str:
    """The name kept beside the actor, so the event still reads well if the user is removed."""
    if by is SYSTEM:
        return "system"
    return str(getattr(by, "display_name", "") or getattr(by, "get_username", lambda: "")())


# --- refusals --------------------------------------------------------------------------------


class TransitionNotAllowed(Exception):
    """The action does not apply to the object in its current state (answered with 409)."""


class Conflict(Exception):
    """Someone else changed the object first (answered with 409); nothing was written."""


# --- the table -------------------------------------------------------------------------------

M = TypeVar("M", bound=models.Model)
E = TypeVar("E", bound=models.Model)

# A named permission predicate: (user, object, **context) -> may act. Context (`needs`) is what the
# predicate reads beyond the object, e.g. who rectified a case (a verifier must be someone else).
Predicate = Callable[..., bool]
Label: TypeAlias = "str | Promise"


@dataclass(frozen=True)
class Guard:
    """A condition on the object beyond its state (an extension request waiting, say), with the
    sentence that refuses the action when it does not hold."""

    test: Callable[[Any], bool]
    refusal: Label


@dataclass(frozen=True)
class Transition:
    """One action of a workflow.

    `target` None: the action does not fix the next state — the object stays where it is, or the
    service names the state (a suspended case resumes in the state it left). `label` is the verb of
    the button; `done` the past participle of the refusal ("… cannot be %(action)s"). `fields` are
    the inputs the action takes (forms and API schemas use the same names; "photos" for photos),
    `required` those it cannot do without. `offered` False: a service-only action (a merge from
    the residents' triage), never a button or an endpoint. `api` is the URL segment and the name in
    the API's allowed actions, `operation_id` the endpoint's OpenAPI id."""

    action: str
    sources: frozenset[str]
    target: str | None
    who: Predicate
    label: Label
    done: Label
    fields: tuple[str, ...] = ()
    required: frozenset[str] = frozenset()
    needs: tuple[str, ...] = ()
    when: Guard | None = None
    offered: bool = True
    api: str = ""
    operation_id: str = ""
    events: tuple[str, ...] = ()  # the event actions it writes, when not its own name

    @property
    def api_name(self) -> str:
        return self.api or self.action

    @property
    def photos(self) -> bool:
        return "photos" in self.fields

    @property
    def event_actions(self) -> tuple[str, ...]:
        return self.events or (self.action,)


def transition(action: str, sources: Iterable[str], target: str | None, *, who: Predicate, label: Label,
               done: Label, fields: Sequence[str] = (), required: Iterable[str] = (), **options: Any) -> Transition:
    """A `Transition` written the way a table reads: sources as any iterable of states."""
    return Transition(action, frozenset(sources), target, who, label, done, tuple(fields), frozenset(required),
                      **options)


@dataclass
class Workflow(Generic[M, E]):
    """The transitions of one kind of object and how its events are written.

    `subject` is the event's foreign key to the object ("case"), `state_label` the label of a state,
    `not_allowed`, `denied` and `conflict` the refusals' sentences, `context` how to read a
    predicate's `needs` when the caller did not give them (a page that has the timeline gives them;
    otherwise the database is asked)."""

    model: type[M]
    event_model: type[E]
    subject: str
    transitions: Sequence[Transition]
    state_label: Callable[[str], Label]
    not_allowed: Label  # "A case that is “%(state)s” cannot be %(action)s."
    denied: Label
    conflict: Label
    context: Mapping[str, Callable[[M], Any]] = field(default_factory=dict)
    table: dict[str, Transition] = field(init=False)

    def __post_init__(self) -> None:
        self.table = {t.action: t for t in self.transitions}
        if len(self.table) != len(self.transitions):
            raise ValueError(f"{self.subject}: an action is declared twice")
        api_names = [t.api_name for t in self.transitions if t.offered]
        if len(set(api_names)) != len(api_names):
            raise ValueError(f"{self.subject}: an API name is used twice")

    # -- reading the table --

    def __getitem__(self, action: str) -> Transition:
        return self.table[action]

    def offered(self) -> list[Transition]:
        """The actions people take from a page or the API, in the order of the lifecycle."""
        return [t for t in self.transitions if t.offered]

    def _context(self, t: Transition, obj: M, given: Mapping[str, Any]) -> dict[str, Any]:
        return {name: given[name] if name in given else self.context[name](obj) for name in t.needs}

    def may(self, t: Transition, by: Actor, obj: M, **context: Any) -> bool:
        """The role rule of `t` (the system acts on the rules, not on a role)."""
        return by is SYSTEM or bool(t.who(by, obj, **self._context(t, obj, context)))

    def can(self, t: Transition, by: Actor, obj: M, **context: Any) -> bool:
        """`t` applies now: the state, its guard, the role."""
        state = getattr(obj, "state")  # noqa: B009 - every workflow object has a `state`
        return (state in t.sources and (t.when is None or t.when.test(obj)) and self.may(t, by, obj, **context))

    def allowed(self, by: Actor, obj: M, **context: Any) -> list[str]:
        """The offered actions `by` may take on `obj` now, in the order of the lifecycle."""
        return [t.action for t in self.offered() if self.can(t, by, obj, **context)]

    def last_actor(self, obj: M, action: str, timeline: Sequence[Any] | None = None) -> Any:
        """Who took `action` on `obj` last (None: nobody, or the system), read from the `timeline`
        the caller already has (events oldest first), else from the database. A predicate's `needs`
        are often this: a verifier must not be who rectified or submitted."""
        if timeline is not None:
            return next((e.actor for e in reversed(timeline) if e.action == action), None)
        last = (self.event_model._default_manager.filter(**{self.subject: obj}, action=action)
                .order_by("-at", "-id").select_related("actor").first())
        return getattr(last, "actor", None)

    # -- acting --

    def check(self, obj: M, action: str, *, by: Actor, version: int | None = None, **context: Any) -> Transition:
        """Refuse before acting: a stale `version` (Conflict), a state the action does not leave from
        or an unmet guard (TransitionNotAllowed), a role or region that may not (PermissionDenied).
        Adapters call it before decoding any upload; `move()` calls it again."""
        check_actor(by)
        t = self.table[action]
        if version is not None and version != getattr(obj, "version"):  # noqa: B009
            raise Conflict(str(self.conflict))
        state = getattr(obj, "state")  # noqa: B009
        if state not in t.sources:
            raise TransitionNotAllowed(str(self.not_allowed) % {"state": self.state_label(state), "action": t.done})
        if not self.may(t, by, obj, **context):
            raise PermissionDenied(str(self.denied))
        if t.when is not None and not t.when.test(obj):
            raise TransitionNotAllowed(str(t.when.refusal))
        return t

    def move(self, obj: M, action: str, *, by: Actor, version: int | None = None, to_state: str | None = None,
             event: str | None = None, note: str = "", data: Mapping[str, Any] | None = None,
             event_fields: Mapping[str, Any] | None = None, context: Mapping[str, Any] | None = None,
             **changes: Any) -> E:
        """Check, then write `changes` and the new state only if nobody changed the object since it
        was read (its version and state as read), then the one event row: who, when, from → to,
        note, data. `to_state` names the state when the transition does not fix it; `event` the
        event's action when the transition writes more than one kind (grant or deny)."""
        t = self.check(obj, action, by=by, version=version, **(context or {}))
        if to_state is not None and t.target is not None and to_state != t.target:
            raise ValueError(f"{action} goes to {t.target}, not {to_state}")
        event_action = event or t.action
        if event_action not in t.event_actions:
            raise ValueError(f"{action} does not write {event_action} events")
        from_state: str = getattr(obj, "state")  # noqa: B009
        target = t.target or to_state or from_state
        updated = self.model._default_manager.filter(
            pk=obj.pk, version=getattr(obj, "version"), state=from_state,  # noqa: B009
        ).update(state=target, version=F("version") + 1, **changes)
        if updated != 1:
            raise Conflict(str(self.conflict))
        for name, value in changes.items():
            setattr(obj, name, value)
        setattr(obj, "state", target)  # noqa: B010
        setattr(obj, "version", getattr(obj, "version") + 1)  # noqa: B009, B010
        return self.event_model._default_manager.create(
            **{self.subject: obj}, at=clock.now(), actor=actor_user(by), actor_name=actor_name(by),
            action=event_action, from_state=from_state, to_state=target, note=note, data=dict(data or {}),
            **(event_fields or {}),
        )


# Each offered action bound to its one service, for the adapters (pages, API) that receive an
# action's name and fields: runner(object, by, data, photos) -> the event.
Runner = Callable[[M, Actor, Mapping[str, Any], Sequence[Any]], E]


@dataclass(frozen=True)
class Actions(Generic[M, E]):
    """A workflow's offered actions bound to their services: every offered action needs its one
    service, and only those (refused at import)."""

    workflow: Workflow[M, E]
    runners: Mapping[str, Runner[M, E]]

    def __post_init__(self) -> None:
        if set(self.runners) != {t.action for t in self.workflow.offered()}:
            raise ValueError(f"{self.workflow.subject}: every offered action needs its service, and only those")

    def __contains__(self, action: object) -> bool:
        return action in self.runners

    def check(self, obj: M, action: str, *, by: Actor, version: int | None = None, **context: Any) -> Transition:
        """The version, state and role checks of the service, made before any photo is decoded: the
        same refusals without spending a second on an upload that cannot be used."""
        return self.workflow.check(obj, action, by=by, version=version, **context)

    def perform(self, action: str, obj: M, *, by: Actor, data: Mapping[str, Any], photos: Sequence[Any] = ()) -> E:
        """Run the action's service (which checks everything again, inside the transaction)."""
        return self.runners[action](obj, by, data, photos)
