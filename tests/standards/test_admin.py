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


def test_assessment_items_are_shown_read_only_in_the_admin(cast, as_user, catalog) -> None:
    from chuangcheng.standards.models import AssessmentItem

    draft = services.start_draft(by=cast.street_admin, title="修订")
    client = as_user(f.UserFactory(username="root", is_superuser=True, is_staff=True))
    listing = client.get(reverse("admin:standards_assessmentitem_changelist") + f"?version__id__exact={catalog.pk}")
    assert listing.status_code == 200 and "农贸市场·环境卫生" in listing.content.decode()
    for version in (catalog, draft):
        item = AssessmentItem.objects.get(version=version, code="MARKET.ENV")
        url = reverse("admin:standards_assessmentitem_change", args=[item.pk])
        assert b'name="_save"' not in client.get(url).content
        assert client.post(url, {"points": "99"}).status_code == 403
        assert AssessmentItem.objects.get(pk=item.pk).points == 7
