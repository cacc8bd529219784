from __future__ import annotations

from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from chuangcheng.imports import run_import, too_large_message
from chuangcheng.places.models import Point
from tests.conftest import Cast
from tests.imports.conftest import World, filled, point_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client: Client, data: bytes, *, kind: str = "points", name: str = "点位.xlsx", check: bool = False):
    form = {"kind": kind, "file": SimpleUploadedFile(name, data, content_type=XLSX)}
    if check:
        form["check_only"] = "on"
    return client.post(reverse("web:import"), form)


def test_people_without_the_import_permission_get_403(cast: Cast, as_user: Callable[..., Client]) -> None:
    for user in (cast.grid_worker_a, cast.leader):
        client = as_user(user)
        assert client.get(reverse("web:import")).status_code == 403
        assert client.get(reverse("web:import_template", args=["points"])).status_code == 403


def test_the_page_offers_every_template_and_the_upload_form(cast: Cast, as_user: Callable[..., Client]) -> None:
    response = as_user(cast.admin_a).get(reverse("web:import"))
    assert response.status_code == 200
    page = response.content.decode()
    for kind in ("regions", "units", "people", "points"):
        assert reverse("web:import_template", args=[kind]) in page
    assert 'enctype="multipart/form-data"' in page
    assert "<progress" in page and "chuangcheng/import.js" in page
    assert "<script>" not in page  # the CSP allows no inline script


def test_a_template_downloads_as_xlsx(cast: Cast, as_user: Callable[..., Client]) -> None:
    response = as_user(cast.admin_a).get(reverse("web:import_template", args=["units"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert response.content[:2] == b"PK"
    assert as_user(cast.admin_a).get(reverse("web:import_template", args=["nothing"])).status_code == 404


def test_a_good_file_imports_and_shows_the_counts(world: World, as_user: Callable[..., Client]) -> None:
    response = upload(as_user(world.cast.street_admin), filled("points", point_rows(4)))
    assert response.status_code == 200
    assert response.context["result"].created == 4
    assert Point.objects.count() == 4


def test_check_only_writes_nothing(world: World, as_user: Callable[..., Client]) -> None:
    response = upload(as_user(world.cast.street_admin), filled("points", point_rows(4)), check=True)
    assert response.context["result"].dry_run and response.context["result"].created == 4
    assert Point.objects.count() == 0


def test_errors_are_shown_as_a_table_and_nothing_is_imported(world: World, as_user: Callable[..., Client]) -> None:
    rows = point_rows(3)
    rows[1][3] = "150103001002-01"  # grid B, out of community A's scope
    response = upload(as_user(world.cast.admin_a), filled("points", rows))
    page = response.content.decode()
    assert 'class="error-table"' in page
    assert "<td>3</td><td>网格编码</td>" in page
    assert Point.objects.count() == 0


def test_a_non_xlsx_upload_gets_a_clear_message(cast: Cast, as_user: Callable[..., Client]) -> None:
    with translation.override("zh-hans"):
        expected = run_import("points", b"code,name\n", by=None).errors[0].message
    response = upload(as_user(cast.street_admin), "编码,名称\nPT-1,点位\n".encode(), name="points.xlsx")
    assert response.status_code == 200
    assert expected in response.content.decode()


@override_settings(IMPORT_MAX_BYTES=1024)
def test_an_oversized_upload_gets_a_clear_message(world: World, as_user: Callable[..., Client]) -> None:
    with translation.override("zh-hans"):
        expected = too_large_message()
    response = upload(as_user(world.cast.street_admin), filled("points", point_rows(2)))
    assert expected in response.content.decode()
    assert Point.objects.count() == 0
