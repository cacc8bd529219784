"""Offline items at points: registered with a photo (kept as taken), counted against the catalog's
number for the point's type ("have N / need M"), banners and items taken down not counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chuangcheng.engagement.publicity import queries, services
from chuangcheng.engagement.publicity.models import OfflineItem
from chuangcheng.evidence.models import Photo
from tests import factories as f
from tests.conftest import Cast, client_for, stored_files
from tests.engagement.publicity.conftest import Places, jpeg

NOW = "2026-11-27 10:00 +0800"
TODAY = dt.date(2026, 11, 27)


def _register(places: Places, by: Any, **kw: Any) -> OfflineItem:
    values = {"kind": OfflineItem.Kind.BOARD, "theme": "讲文明树新风", "count": 1, "put_up_on": TODAY}
    values.update(kw)
    return services.register_item(kw.pop("point", places.bus_stop), by=by, **{
        k: v for k, v in values.items() if k != "point"})


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_bus_stop_needs_two_ads_and_a_board_of_two_is_enough(cast: Cast, places: Places, media: Any) -> None:
    row = queries.point_row(cast.street_admin, places.bus_stop, day=TODAY)
    assert (row.have, row.need, row.below) == (0, 2, True)
    item = _register(places, cast.grid_worker_a, count=2, photo=jpeg())
    assert item.code == "GG-20261127-0001" and item.photo is not None
    row = queries.point_row(cast.street_admin, places.bus_stop, day=TODAY)
    assert (row.have, row.need, row.short) == (2, 2, 0)
    # The road's number comes from its group's item: 1.
    assert queries.point_row(cast.street_admin, places.road_a, day=TODAY).need == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_banners_and_items_taken_down_do_not_count(cast: Cast, places: Places) -> None:
    _register(places, cast.admin_a, kind=OfflineItem.Kind.BANNER, count=3)
    board = _register(places, cast.admin_a, count=2, put_up_on=TODAY - dt.timedelta(days=10))
    services.take_down_item(board, by=cast.admin_a, on=TODAY - dt.timedelta(days=1))
    assert queries.point_row(cast.admin_a, places.bus_stop, day=TODAY).have == 0
    assert queries.point_row(cast.admin_a, places.bus_stop, day=TODAY - dt.timedelta(days=2)).have == 2
    with pytest.raises(ValidationError):
        services.take_down_item(board, by=cast.admin_a, on=TODAY)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_bad_input_is_named_and_nothing_is_stored(cast: Cast, places: Places, media: Any) -> None:
    with pytest.raises(ValidationError) as error:
        _register(places, cast.admin_a, kind="tv", theme="", count=0, put_up_on=TODAY + dt.timedelta(days=1))
    assert set(error.value.message_dict) == {"kind", "theme", "count", "put_up_on"}
    not_a_photo = SimpleUploadedFile("x.jpg", b"not an image at all", "image/jpeg")
    with pytest.raises(ValidationError) as error:
        _register(places, cast.admin_a, photo=not_a_photo)
    assert "photos" in error.value.message_dict
    assert not OfflineItem.objects.exists() and not Photo.objects.exists() and stored_files(media) == []
    board = _register(places, cast.admin_a, put_up_on=TODAY - dt.timedelta(days=3))
    with pytest.raises(ValidationError) as error:
        services.take_down_item(board, by=cast.admin_a, on=TODAY - dt.timedelta(days=5))
    assert "taken_down_on" in error.value.message_dict
    board.refresh_from_db()
    assert board.taken_down_on is None


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_items_are_registered_only_at_points_of_ones_region(cast: Cast, places: Places) -> None:
    with pytest.raises(PermissionDenied):
        _register(places, cast.admin_a, point=places.road_b)
    with pytest.raises(PermissionDenied):
        _register(places, cast.leader)
    assert not OfflineItem.objects.exists()
    assert client_for(cast.admin_a).get(reverse("publicity:point", args=[places.road_b.code])).status_code == 404


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_points_page_lists_have_and_need_and_filters_the_points_below(
    cast: Cast, places: Places, django_assert_max_num_queries: Any,
) -> None:
    _register(places, cast.admin_a, point=places.road_a)
    _register(places, cast.admin_a, count=1)
    for n in range(6):  # more points and items cost no more queries
        extra = f.PointFactory(code=f"EXTRA-{n}", point_type=places.road_a.point_type, grid=cast.grid_a)
        _register(places, cast.admin_a, point=extra)
    client = client_for(cast.street_admin)
    with django_assert_max_num_queries(15):
        html = client.get(reverse("publicity:points")).content.decode()
    assert 'data-code="BUS-A" data-have="1" data-need="2" class="below"' in html
    assert 'data-code="ROAD-A" data-have="1" data-need="1">' in html
    below = client.get(reverse("publicity:points"), {"below": "1"}).content.decode()
    assert 'data-code="BUS-A"' in below and 'data-code="ROAD-A"' not in below and 'data-code="ROAD-B"' in below
    only_b = client.get(reverse("publicity:points"), {"community": cast.community_b.code}).content.decode()
    assert 'data-code="ROAD-B"' in only_b and 'data-code="BUS-A"' not in only_b
    mine = client_for(cast.admin_b).get(reverse("publicity:points")).content.decode()
    assert 'data-code="BUS-A"' not in mine


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_registering_from_the_point_page_keeps_the_photo_as_taken(cast: Cast, places: Places, media: Any) -> None:
    client = client_for(cast.grid_worker_a)
    upload = jpeg(name="board.jpg")
    original = upload.read()
    upload.seek(0)
    url = reverse("publicity:point", args=[places.bus_stop.code])
    response = client.post(url, {"kind": "framed", "theme": "诚信建设", "count": "2", "put_up_on": "2026-11-20",
                                 "photo": upload})
    assert response.status_code == 302
    item = OfflineItem.objects.get()
    assert item.photo is not None
    with item.photo.original.open("rb") as handle:
        assert handle.read() == original
    page = client.get(url).content.decode()
    assert 'id="have-need"' in page and f'data-code="{item.code}"' in page
    assert client.get(reverse("publicity:item_photo", args=[item.code, "thumbnail"])).status_code == 200
    assert client_for(cast.admin_b).get(reverse("publicity:item_photo", args=[item.code, "display"])).status_code == 404
    future = client.post(url, {"kind": "framed", "theme": "x", "count": "1", "put_up_on": "2026-12-01"})
    assert future.status_code == 400 and b'id="id_put_up_on_errors"' in future.content
    assert OfflineItem.objects.count() == 1
    down = client.post(reverse("publicity:item_take_down", args=[item.code]), {"taken_down_on": "2026-11-26"})
    assert down.status_code == 302
    item.refresh_from_db()
    assert item.taken_down_on == dt.date(2026, 11, 26)
