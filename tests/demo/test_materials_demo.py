"""The demo's materials archive is partly filled: some items complete, some missing kinds, one
upload withdrawn, and its pages and export work for the street admin."""

from __future__ import annotations

import io
import zipfile

import pytest

from chuangcheng.demo.generator import DemoResult
from chuangcheng.materials import queries
from chuangcheng.materials.models import Material
from chuangcheng.org.models import Region, User
from tests.conftest import client_for


@pytest.fixture
def status(demo: DemoResult, db: None) -> queries.Completeness:
    street = Region.objects.get(code="150103001")
    found = queries.completeness(street)
    if not found.items:
        pytest.skip("the default catalog has no items assessed from documents")
    return found


def test_the_archive_is_partly_filled(status: queries.Completeness) -> None:
    complete = [row for row in status.items if row.complete]
    assert 0 < len(complete) < len(status.items)
    assert any(row.missing for row in status.items)
    assert 0 < status.kinds_present < status.kinds_needed
    assert Material.objects.filter(withdrawn_at__isnull=False).count() == 1
    # A document too old to count for this year's assessment.
    assert any(len(row.counted) < len(row.materials) for row in status.items)


def test_the_street_admin_opens_the_archive_and_exports_it(status: queries.Completeness) -> None:
    client = client_for(User.objects.get(username="street_admin"))
    page = client.get("/materials/150103001/")
    assert page.status_code == 200
    assert f"{status.items_complete} / {len(status.items)}" in page.content.decode()
    response = client.get("/materials/150103001/export.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        names = archive.namelist()
    counted = sum(len(row.counted) for row in status.items)
    assert len(names) == counted + 1
    assert names[0].startswith("01_")
