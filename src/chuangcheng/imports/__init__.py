"""Excel import of regions, units, people and points (a plain package, not a Django app).

`build_template(kind)` hands out the .xlsx a clerk fills in; `run_import(kind, data, by=...)`
checks every row and writes them all through the apps' services, or nothing."""

from chuangcheng.imports.cells import RowError
from chuangcheng.imports.columns import KIND_LABELS, KINDS, TEMPLATE_FILE_NAMES
from chuangcheng.imports.reading import too_large_message
from chuangcheng.imports.run import ImportResult, run_import
from chuangcheng.imports.template import build_template

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "TEMPLATE_FILE_NAMES",
    "ImportResult",
    "RowError",
    "build_template",
    "run_import",
    "too_large_message",
]
