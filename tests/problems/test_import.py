"""Importing a problem list from a workbook and a zip of photos: every row checked first, each
fault named by row and column, nothing written unless every row is right."""

from __future__ import annotations

import pytest

from chuangcheng.cases.models import Case, CaseEvent, Source, State
from chuangcheng.evidence.models import Photo
from chuangcheng.problems.models import Problem, ProblemList
from tests.conftest import stored_files
from tests.problems.conftest import GOOD_ROWS, jpeg, photos_zip, run, workbook, zip_of

pytestmark = pytest.mark.django_db


def _row(**changes: object) -> list[object]:
    columns = ["row", "place", "point", "point_type", "lon", "lat", "grid", "description", "category", "unit",
               "photos"]
    row = list(GOOD_ROWS[0])
    for key, value in changes.items():
        row[columns.index(key)] = value
    return row


def test_a_good_list_becomes_one_case_from_above_per_problem(scene):
    result = run(scene, photos=photos_zip())
    assert result.errors == []
    batch = result.problem_list
    assert batch is not None and batch.problems.count() == 3
    cases = {p.row: p.case for p in Problem.objects.select_related("case", "case__unit")}
    assert {c.source for c in cases.values()} == {Source.DIRECTIVE}
    assert cases[1].state == State.DISPATCHED and cases[1].unit == scene.unit
    assert cases[1].point == scene.point
    assert cases[2].state == State.ACCEPTED and cases[2].unit is None  # no unit named: the office dispatches
    assert cases[2].grid == scene.cast.grid_a  # found from the location
    assert cases[3].grid == scene.cast.grid_b and cases[3].address == "乙社区健身广场"


def test_photos_come_from_the_zip_by_file_name_whatever_the_folder_or_case(scene):
    result = run(scene, photos=photos_zip())
    three = result.problem_list.problems.get(row=3)
    assert three.photos.count() == 2
    report = CaseEvent.objects.get(case=three.case, action="report")
    assert report.photos.count() == 2  # the before-photos of the case
    assert Photo.objects.count() == 3


@pytest.mark.parametrize(("changes", "column", "words"), [
    ({"unit": "不存在的物业"}, "责任单位", "不存在的物业"),
    ({"unit": "丙物业"}, "责任单位", "丙物业"),  # a unit of another street
    ({"point": "C-GATE"}, "点位编码", "C-GATE"),  # a point of another street
    ({"point": "", "lon": "111.8", "lat": "40.82"}, "经度", "111.8"),  # a location outside the street
    ({"point": "", "grid": "丙一网格"}, "所在网格", "丙一网格"),
    ({"point": ""}, "所在网格", ""),  # nowhere at all
    ({"category": "卫生/不存在"}, "问题类别", "卫生/不存在"),
    ({"description": ""}, "问题描述", ""),
    ({"row": "一"}, "序号", ""),
    ({"photos": "p9.jpg"}, "照片", "p9.jpg"),
])
def test_a_wrong_row_is_refused_with_its_row_column_and_reason(scene, changes, column, words):
    bad = _row(**changes)
    result = run(scene, workbook([bad, GOOD_ROWS[1]]), photos=photos_zip())
    assert result.problem_list is None
    assert [(e.line, e.column) for e in result.errors] == [(2, column)]
    assert words in result.errors[0].message
    assert ProblemList.objects.count() == 0 and Case.objects.count() == 0


def test_one_wrong_row_among_good_ones_writes_nothing_not_even_a_photo(scene, media):
    rows = [*GOOD_ROWS, _row(row=4, unit="不存在的物业", photos="")]
    result = run(scene, workbook(rows), photos=photos_zip())
    assert [e.line for e in result.errors] == [5]
    assert ProblemList.objects.count() == 0
    assert Case.objects.count() == 0 and Photo.objects.count() == 0
    assert stored_files(media) == []


def test_a_reference_already_entered_for_the_street_is_refused(scene):
    assert run(scene, photos=photos_zip()).ok
    again = run(scene, photos=photos_zip())
    assert again.problem_list is None
    assert any("区创城办〔2026〕15号" in e.message for e in again.errors)
    assert ProblemList.objects.count() == 1 and Case.objects.count() == 3


def test_the_same_reference_in_another_street_is_another_list(scene):
    assert run(scene, photos=photos_zip()).ok
    rows = [[1, "丙小区门口", "C-GATE", "", "", "", "", "门口小广告", "宣传广告/非法小广告", "", ""]]
    other = run(scene, workbook(rows), street=scene.other_street, by=scene.other_admin)
    assert other.ok and ProblemList.objects.count() == 2


def test_only_the_street_office_of_the_street_imports_even_a_dry_run(scene):
    from django.core.exceptions import PermissionDenied

    for outsider in (scene.other_admin, scene.cast.leader, scene.cast.admin_a):
        with pytest.raises(PermissionDenied):
            run(scene, photos=photos_zip(), by=outsider, dry_run=True)
    assert ProblemList.objects.count() == 0


def test_a_dry_run_checks_everything_and_writes_nothing(scene):
    result = run(scene, photos=photos_zip(), dry_run=True)
    assert result.ok and len(result.problems) == 3 and result.problem_list is None
    assert ProblemList.objects.count() == 0 and Photo.objects.count() == 0


def test_rows_naming_photos_without_a_zip_are_refused(scene):
    result = run(scene)
    assert any("照片压缩包" in e.message and e.line == 0 for e in result.errors)
    assert ProblemList.objects.count() == 0


def test_a_file_in_the_zip_that_is_not_a_photo_is_refused_like_an_upload(scene):
    broken = zip_of({"p1.jpg": b"not a picture at all", "p3a.jpg": jpeg(), "p3b.jpg": jpeg("blue")})
    result = run(scene, photos=broken)
    assert result.errors and result.errors[0].column == "照片"
    assert ProblemList.objects.count() == 0


def test_a_file_that_is_not_a_workbook_is_refused(scene):
    result = run(scene, b"hello, this is text")
    assert result.errors and result.problem_list is None


def test_a_sheet_without_the_template_columns_is_refused(scene):
    from openpyxl import Workbook

    from chuangcheng.core import sheets

    book = Workbook()
    book.active.append(["地点", "描述"])
    book.active.append(["某处", "某问题"])
    result = run(scene, sheets.to_bytes(book))
    assert "序号" in result.errors[0].message


def test_a_deadline_before_the_issue_date_is_refused(scene):
    import datetime as dt

    errors = run(scene, photos=photos_zip(), deadline=dt.date(2026, 11, 1)).errors
    assert [(e.line, e.column) for e in errors] == [(0, "截止时间")]
    assert "下发" in errors[0].message
    assert ProblemList.objects.count() == 0


def test_two_rows_with_the_same_number_are_refused(scene):
    result = run(scene, workbook([GOOD_ROWS[1], [2, *GOOD_ROWS[1][1:]]]))
    assert [(e.line, e.column) for e in result.errors] == [(3, "序号")]


def test_a_damaged_photo_in_the_zip_is_refused_not_a_crash(scene):
    # Corrupt the compressed bytes of the first member (stored with deflate so they can be damaged).
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("p1.jpg", jpeg("red") * 3)
        archive.writestr("p3a.jpg", jpeg("green"))
        archive.writestr("p3b.jpg", jpeg("blue"))
    damaged = bytearray(out.getvalue())
    start = damaged.index(b"p1.jpg") + len("p1.jpg") + 40
    damaged[start:start + 200] = bytes(200)
    result = run(scene, photos=bytes(damaged))
    assert result.errors and result.errors[0].column == "照片"
    assert ProblemList.objects.count() == 0
