from __future__ import annotations

from django.urls import reverse

from chuangcheng.standards import services
from chuangcheng.standards.models import CatalogVersion, CheckItem
from tests import factories as f


def test_a_published_version_and_its_rows_are_read_only_in_the_admin(cast, as_user, catalog) -> None:
    superuser = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client = as_user(superuser)
    item = CheckItem.objects.get(version=catalog, code="PUB-1")
    url = reverse("admin:standards_checkitem_change", args=[item.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert client.post(url, {"text": "改"}).status_code == 403
    assert client.post(reverse("admin:standards_checkitem_delete", args=[item.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:standards_catalogversion_change", args=[catalog.pk])).status_code == 200
    assert CheckItem.objects.get(pk=item.pk).text != "改"


def test_a_drafts_check_items_are_edited_on_the_catalog_page_not_in_the_admin(
    cast, as_user, catalog: CatalogVersion
) -> None:
    draft = services.start_draft(by=cast.street_admin, title="修订")
    superuser = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client = as_user(superuser)
    item = CheckItem.objects.get(version=draft, code="PUB-1")
    url = reverse("admin:standards_checkitem_change", args=[item.pk])
    assert b'name="_save"' not in client.get(url).content
    assert client.post(url, {"text": "改"}).status_code == 403
    assert client.post(reverse("admin:standards_catalogversion_change", args=[draft.pk]),
                       {"title": "改"}).status_code == 403
    assert CheckItem.objects.get(pk=item.pk).text != "改"
