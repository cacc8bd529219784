"""Running an import: read the file, check every row, then write all rows in one transaction
through the apps' services, or nothing at all when any row is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from chuangcheng.imports.cells import Errors, RowError
from chuangcheng.imports.columns import KINDS, column_for_field
from chuangcheng.imports.kinds import IMPORTERS, Item
from chuangcheng.imports.reading import ProgressFn, read_rows
from chuangcheng.org import permissions

PROGRESS_STEP = 100


@dataclass
class ImportResult:
    kind: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def imported(self) -> bool:
        """Whether the rows are now in the database (not a check, no errors)."""
        return self.ok and not self.dry_run


def run_import(
    kind: str, data: bytes, *, by: Any, progress: ProgressFn | None = None, dry_run: bool = False
) -> ImportResult:
    """Import one workbook of `kind` (regions, units, people, points) as `by` (None: the system).

    Every row is checked first and every problem is reported with its Excel row and column. When
    any row is wrong, or on a dry run, the transaction is rolled back and nothing is written; the
    counts then say what the import would do. Saving an unchanged row writes nothing."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    if by is not None and not permissions.can_import(by):
        raise PermissionDenied(_("You may not import data."))
    result = ImportResult(kind=kind, dry_run=dry_run)
    report = progress or _quiet
    try:
        _headers, rows = read_rows(kind, data, progress=progress)
    except ValidationError as exc:
        result.errors = [RowError(None, "", message) for message in exc.messages]
        return result
    result.rows = len(rows)
    errors = Errors()
    importer = IMPORTERS[kind](by, errors)
    with transaction.atomic():
        report(_("Checking rows"), 0, len(rows))
        items = importer.check(rows)
        report(_("Checking rows"), len(rows), len(rows))
        todo = importer.order([item for item in items if item.row not in errors.rows])
        for done, item in enumerate(todo, start=1):
            outcome = _write(importer, item, errors, kind)
            if outcome is not None:
                setattr(result, outcome, getattr(result, outcome) + 1)
            if done % PROGRESS_STEP == 0 or done == len(todo):
                report(_("Saving rows") if not dry_run else _("Trying rows"), done, len(todo))
        if errors or dry_run:
            transaction.set_rollback(True)
    result.errors = sorted(errors.items, key=lambda e: (e.row or 0, e.column))
    if errors:
        result.created = result.updated = result.unchanged = 0
    return result


def _write(importer: Any, item: Item, errors: Errors, kind: str) -> str | None:
    """Save one row; a refusal from the service becomes that row's error (its savepoint is undone)."""
    try:
        with transaction.atomic():
            return str(importer.write(item))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(item.row, column_for_field(kind, name), message)
        else:
            for message in exc.messages:
                errors.add(item.row, "", message)
    except PermissionDenied as exc:
        errors.add(item.row, "", str(exc) or _("You may not change this row."))
    except DatabaseError:
        errors.add(item.row, "", _("This row conflicts with data already in the system."))
    return None


def _quiet(label: str, done: int, total: int) -> None:
    return None
