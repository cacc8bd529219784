"""The pages: who reads a list, who enters and dispatches, and a list out of reach answers 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuangcheng.cases.models import Case, State
from chuangcheng.problems.models import Problem, ProblemList
from tests import factories as f
from tests.conftest import client_for
from tests.problems.conftest import jpeg, photos_zip, run, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(scene):
    return run(scene, photos=photos_zip()).problem_list


def test_the_list_page_shows_each_list_with_its_progress(scene, batch):
    page = client_for(scene.cast.street_admin).get("/problems/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "区创城办〔2026〕15号" in html and "0 / 3" in html


def test_the_list_page_reads_all_lists_in_a_few_queries(scene, batch):
    for n in range(3):
        run(scene, photos=photos_zip(), reference=f"第{n}号")
    client = client_for(scene.cast.street_admin)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/problems/").status_code == 200
    assert len(queries) < 15


def test_the_batch_page_shows_progress_problems_their_cases_and_the_downloads(scene, batch):
    page = client_for(scene.cast.leader).get(f"/problems/{batch.code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "整改完成 0 / 3" in html and "逾期 0" in html
    for problem in batch.problems.select_related("case"):
        assert f'href="/cases/{problem.case.number}/"' in html
    assert f"/problems/{batch.code}/report.docx" in html and f"/problems/{batch.code}/report.xlsx" in html
    assert "<form" not in html.split('id="problems"')[1]  # a leader reads, does not dispatch


def test_readers_download_the_reports(scene, batch):
    for user in (scene.cast.street_admin, scene.cast.leader, scene.inspector):
        client = client_for(user)
        docx = client.get(f"/problems/{batch.code}/report.docx")
        assert docx.status_code == 200 and docx["Content-Type"].endswith("wordprocessingml.document")
        assert client.get(f"/problems/{batch.code}/report.xlsx").status_code == 200
    assert client_for(scene.cast.street_admin).get(f"/problems/{batch.code}/report.pdf").status_code == 404


@pytest.mark.parametrize("who", ["admin_a", "grid_worker_a"])
def test_community_staff_and_grid_workers_do_not_see_problem_lists(scene, batch, who):
    client = client_for(getattr(scene.cast, who))
    assert client.get("/problems/").status_code == 403
    assert client.get(f"/problems/{batch.code}/").status_code == 403
    assert client.get("/problems/import/").status_code == 403


def test_a_unit_handler_does_not_see_problem_lists(scene, batch):
    assert client_for(scene.handler).get(f"/problems/{batch.code}/").status_code == 403


def test_another_streets_admin_gets_404_for_the_list_and_cannot_dispatch(scene, batch):
    client = client_for(scene.other_admin)
    assert client.get(f"/problems/{batch.code}/").status_code == 404
    assert client.get(f"/problems/{batch.code}/report.docx").status_code == 404
    assert client.post(f"/problems/{batch.code}/2/dispatch", {"unit": scene.unit.pk}).status_code == 404
    assert "区创城办〔2026〕15号" not in client.get("/problems/").content.decode()
    assert Problem.objects.get(row=2).case.state == State.ACCEPTED


def test_readers_may_not_enter_lists(scene):
    for user in (scene.cast.leader, scene.inspector):
        client = client_for(user)
        assert client.get("/problems/import/").status_code == 403
        assert client.get("/problems/new/").status_code == 403
        assert client.get("/problems/template.xlsx").status_code == 403


def test_the_street_admin_dispatches_a_problem_without_a_unit_from_the_batch_page(scene, batch):
    client = client_for(scene.cast.street_admin)
    html = client.get(f"/problems/{batch.code}/").content.decode()
    assert f'action="/problems/{batch.code}/2/dispatch"' in html
    response = client.post(f"/problems/{batch.code}/2/dispatch", {"unit": scene.unit.pk})
    assert response.status_code == 302
    case = Problem.objects.get(row=2).case
    assert case.state == State.DISPATCHED and case.unit == scene.unit


def test_a_leader_cannot_dispatch(scene, batch):
    response = client_for(scene.cast.leader).post(f"/problems/{batch.code}/2/dispatch", {"unit": scene.unit.pk})
    assert response.status_code == 403
    assert Problem.objects.get(row=2).case.state == State.ACCEPTED


def _import_form(**extra):
    return {"street": "", "reference": "区创城办〔2026〕16号", "issuer": "区创城办", "kind": "covert",
            "issued_on": "2026-12-01", "deadline": "2026-12-10", "note": "", **extra}


def test_the_import_page_checks_first_then_imports(scene):
    client = client_for(scene.cast.street_admin)
    street = scene.cast.street.pk

    def post(dry_run: bool):
        form = _import_form(street=street, file=SimpleUploadedFile("清单.xlsx", workbook()),
                            photos=SimpleUploadedFile("photos.zip", photos_zip()))
        if dry_run:
            form["dry_run"] = "on"
        return client.post("/problems/import/", form)

    checked = post(dry_run=True)
    assert checked.status_code == 200 and "可导入 3 个问题" in checked.content.decode()
    assert ProblemList.objects.count() == 0
    done = post(dry_run=False)
    batch = ProblemList.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/problems/{batch.code}/"


def test_the_import_page_lists_the_row_errors_and_writes_nothing(scene):
    rows = [[1, "某处", "", "", "", "", "甲一网格", "描述", "市容环境/不存在", "没有的单位", ""]]
    form = _import_form(street=scene.cast.street.pk, file=SimpleUploadedFile("清单.xlsx", workbook(rows)))
    page = client_for(scene.cast.street_admin).post("/problems/import/", form)
    html = page.content.decode()
    assert page.status_code == 400
    assert "第 2 行 · 问题类别" in html and "第 2 行 · 责任单位" in html and "没有的单位" in html
    assert ProblemList.objects.count() == 0 and Case.objects.count() == 0


def test_a_list_typed_in_becomes_cases_like_an_imported_one(scene):
    from chuangcheng.cases.models import Category

    category = Category.objects.get(code="SR01")
    form = {**_import_form(street=scene.cast.street.pk),
            "form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "200",
            "form-0-row": "1", "form-0-place": "乙社区健身广场", "form-0-grid": scene.cast.grid_b.pk,
            "form-0-description": "广场围墙私搭乱建", "form-0-category": category.pk, "form-0-unit": scene.unit.pk,
            "form-0-photo": SimpleUploadedFile("before.jpg", jpeg(), content_type="image/jpeg"),
            "form-1-row": "2", "form-1-place": "甲一网格路口", "form-1-grid": scene.cast.grid_a.pk,
            "form-1-description": "垃圾堆放", "form-1-category": category.pk}
    response = client_for(scene.cast.street_admin).post("/problems/new/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    batch = ProblemList.objects.get()
    problems = list(batch.problems.select_related("case"))
    assert [p.case.state for p in problems] == [State.DISPATCHED, State.ACCEPTED]
    assert problems[0].photos.count() == 1


def test_a_typed_in_row_without_a_place_is_refused_and_nothing_is_written(scene):
    from chuangcheng.cases.models import Category

    form = {**_import_form(street=scene.cast.street.pk),
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "200",
            "form-0-row": "1", "form-0-description": "垃圾堆放",
            "form-0-category": Category.objects.get(code="SR02").pk}
    response = client_for(scene.cast.street_admin).post("/problems/new/", form)
    assert response.status_code == 400 and "请填写问题地点" in response.content.decode()
    assert ProblemList.objects.count() == 0


def test_the_case_page_names_the_list_it_came_from(scene, batch):
    case = batch.problems.get(row=1).case
    html = client_for(scene.cast.street_admin).get(f"/cases/{case.number}/").content.decode()
    assert f'href="/problems/{batch.code}/"' in html and "区创城办〔2026〕15号" in html


def test_a_district_admin_reads_the_lists_of_every_street_below(scene, batch):
    district_admin = f.UserFactory(username="district", role="street_admin", scope=scene.cast.district)
    assert client_for(district_admin).get(f"/problems/{batch.code}/").status_code == 200


def test_the_menu_leads_readers_to_the_lists_and_nobody_else(scene):
    link = 'href="/problems/"'
    assert link in client_for(scene.cast.street_admin).get("/").content.decode()
    assert link in client_for(scene.inspector).get("/").content.decode()
    assert link not in client_for(scene.cast.grid_worker_a).get("/").content.decode()
