from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from chuangcheng.standards import services
from chuangcheng.standards.models import CatalogVersion, CheckItem


def test_a_grid_worker_reads_the_catalog_without_edit_actions(cast, as_user, catalog: CatalogVersion) -> None:
    client = as_user(cast.grid_worker_a)
    home = client.get(reverse("standards:catalog"))
    assert home.status_code == 200
    html = home.content.decode()
    assert "农贸市场及周边" in html and "默认测评目录" in html
    assert reverse("standards:draft_start") not in html

    page = client.get(reverse("standards:type", args=["MARKET"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "MARKET-7" in html and "公平秤" in html
    assert "PUB-1" in html  # the group items are part of the checklist
    assert "/edit/" not in html and "/items/" not in html

    version = client.get(reverse("standards:version", args=[catalog.number]))
    assert version.status_code == 200
    assert "/publish/" not in version.content.decode()


def test_the_checklist_page_states_measures_plainly(cast, as_user, catalog: CatalogVersion) -> None:
    html = as_user(cast.grid_worker_a).get(reverse("standards:type", args=["SCHOOL"])).content.decode()
    assert "SCHOOL-1" in html
    assert "50" in html  # at least 3 within a 50 m walk


def test_a_grid_worker_may_not_open_the_edit_pages(cast, as_user, catalog: CatalogVersion) -> None:
    draft = services.start_draft(by=cast.street_admin, title="修订")
    client = as_user(cast.grid_worker_a)
    assert client.get(reverse("standards:draft_start")).status_code == 403
    assert client.get(reverse("standards:item_new", args=[draft.number])).status_code == 403
    assert client.post(reverse("standards:publish", args=[draft.number]), {"changelog": "x"}).status_code == 403
    # Drafts are not shown to those who cannot edit them.
    assert client.get(reverse("standards:version", args=[draft.number])).status_code == 404


def test_the_catalog_pages_take_a_fixed_number_of_queries(
    cast, as_user, catalog: CatalogVersion, django_assert_max_num_queries
) -> None:
    client = as_user(cast.grid_worker_a)
    # The page's own reads plus the layout's (session, user, unread-message count): not one per item.
    with django_assert_max_num_queries(16):
        client.get(reverse("standards:catalog"))
    with django_assert_max_num_queries(19):  # and the assessment items with their types' sample sizes
        client.get(reverse("standards:version", args=[catalog.number]))


def test_a_street_admin_edits_and_publishes_through_the_pages(cast, as_user, catalog: CatalogVersion) -> None:
    client = as_user(cast.street_admin)
    home = client.get(reverse("standards:catalog")).content.decode()
    assert reverse("standards:draft_start") in home

    response = client.post(reverse("standards:draft_start"), {"title": "2027 修订"})
    draft = CatalogVersion.objects.get(status="draft")
    assert response.status_code == 302 and response["Location"].endswith(f"/v{draft.number}/")

    new_item = reverse("standards:item_new", args=[draft.number])
    assert client.get(new_item + "?type=MARKET").status_code == 200
    response = client.post(new_item, {
        "code": "MARKET-13", "point_type": "MARKET", "text": "入口设有电子屏公益广告。", "measure": "count",
        "threshold": "1", "distance_m": "", "weight": "1", "deduction": "",
    })
    assert response.status_code == 302
    assert CheckItem.objects.filter(version=draft, code="MARKET-13").exists()

    edit = reverse("standards:item_edit", args=[draft.number, "PUB-1"])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {
        "group": "PUB", "point_type": "", "text": "社会主义核心价值观公益广告醒目。", "measure": "presence",
        "threshold": "", "distance_m": "", "weight": "3", "deduction": "",
    })
    assert response.status_code == 302
    assert CheckItem.objects.get(version=draft, code="PUB-1").weight == Decimal(3)

    assert client.post(reverse("standards:item_delete", args=[draft.number, "NETBAR-3"])).status_code == 302
    response = client.post(
        reverse("standards:profile_edit", args=[draft.number, "NETBAR"]),
        {"groups": ["FAC", "PUB"], "unit_kinds": ["operator"], "description": "网吧", "sample_size": "3"},
    )
    assert response.status_code == 302
    # PUB's items deduct points, so NETBAR needs an assessment item for them before publishing.
    refused = client.post(reverse("standards:publish", args=[draft.number]), {"changelog": "按新要求修订"})
    assert refused.status_code == 200 and "PUB-1" in refused.content.decode()
    response = client.post(reverse("standards:assessment_new", args=[draft.number]), {
        "code": "NETBAR.PUB", "name": "未成年人思想道德建设·网吧·公益广告", "method": "observe",
        "point_type": "NETBAR", "group": "PUB", "points": "4", "description": "",
    })
    assert response.status_code == 302

    preview = client.get(reverse("standards:publish", args=[draft.number])).content.decode()
    assert "MARKET-13" in preview and "NETBAR-3" in preview
    response = client.post(reverse("standards:publish", args=[draft.number]), {"changelog": "按新要求修订"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"

    compare = client.get(reverse("standards:compare", args=[draft.number])).content.decode()
    assert "MARKET-13" in compare and "NETBAR-3" in compare and "PUB-1" in compare
    # A published version offers no edit action any more, and its edit pages refuse.
    assert reverse("standards:publish", args=[draft.number]) not in client.get(
        reverse("standards:version", args=[draft.number])).content.decode()
    assert client.get(reverse("standards:item_edit", args=[draft.number, "PUB-1"])).status_code == 403


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"measure": "rate", "threshold": "150"}, "threshold", "0 to 100"),
    ({"measure": "count", "threshold": ""}, "threshold", "needs a threshold"),
    ({"measure": "occurrences", "deduction": ""}, "deduction", "needs a deduction"),
])
def test_bad_item_input_is_shown_on_its_field(
    cast, as_user, catalog: CatalogVersion, data: dict[str, str], field: str, message: str, settings
) -> None:
    settings.LANGUAGE_CODE = "en"
    draft = services.start_draft(by=cast.street_admin, title="修订")
    client = as_user(cast.street_admin)
    client.cookies["django_language"] = "en"
    post = {"code": "BACK_LANE-9", "point_type": "BACK_LANE", "text": "路灯亮灯率", "weight": "1",
            "distance_m": "", "deduction": "", "threshold": "", **data}
    response = client.post(reverse("standards:item_new", args=[draft.number]), post)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert not CheckItem.objects.filter(version=draft, code="BACK_LANE-9").exists()
