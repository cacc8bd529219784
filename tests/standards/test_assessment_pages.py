"""The catalog pages in the assessment's terms: what a reader sees, and a street admin editing a
draft's assessment items, sample sizes and penalties (in Chinese, as the office uses it)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from chuangcheng.standards import services
from chuangcheng.standards.models import AssessmentItem, CatalogVersion, CheckItem, TypeProfile


def test_a_reader_sees_sample_sizes_assessment_items_and_penalties(cast, as_user, catalog: CatalogVersion) -> None:
    client = as_user(cast.grid_worker_a)
    html = client.get(reverse("standards:version", args=[catalog.number])).content.decode()
    assert "测评内容" in html and "抽样点位数" in html
    assert "农贸市场·环境卫生" in html
    assert 'id="minors"' in html and "未成年人思想道德建设·网吧·专项要求" in html
    assert "材料审核" in html and "志愿服务制度与记录" in html
    assert reverse("standards:assessment_new", args=[catalog.number]) not in html

    page = client.get(reverse("standards:type", args=["MARKET"])).content.decode()
    assert "农贸市场·环境卫生" in page and "7 分" in page  # the ENV section's assessment item
    assert "每处扣 1 分" in page  # ENV-1: 1 per occurrence
    assert "不合格扣 2 分" in page  # PUB-1: 2 per failure
    assert "抽样点位数" in page

    home = client.get(reverse("standards:catalog")).content.decode()
    assert "新时代文明实践站" in home and "校外活动场所" in home


@pytest.fixture
def draft(cast, catalog: CatalogVersion) -> CatalogVersion:
    return services.start_draft(by=cast.street_admin, title="2027 修订")


def _post_assessment(client, draft: CatalogVersion, edit: str | None = None, **data: str):
    """Post the assessment item form: a new item, or the item `edit`."""
    url = (reverse("standards:assessment_edit", args=[draft.number, edit]) if edit
           else reverse("standards:assessment_new", args=[draft.number]))
    post = {"code": "MARKET.X", "name": "农贸市场·新增", "method": "observe", "point_type": "MARKET", "group": "",
            "points": "5", "description": "", **data}
    return client.post(url, post)


def test_a_street_admin_adds_edits_and_removes_assessment_items(cast, as_user, draft) -> None:
    client = as_user(cast.street_admin)
    version_page = client.get(reverse("standards:version", args=[draft.number])).content.decode()
    assert reverse("standards:assessment_new", args=[draft.number]) in version_page
    assert reverse("standards:assessment_edit", args=[draft.number, "MARKET.ENV"]) in version_page

    response = _post_assessment(client, draft, code="DOC.NEW", name="文明交通宣传", method="materials",
                                point_type="", points="2")
    assert response.status_code == 302
    assert AssessmentItem.objects.get(version=draft, code="DOC.NEW").points == 2

    edit = reverse("standards:assessment_edit", args=[draft.number, "MARKET.ENV"])
    assert "农贸市场·环境卫生" in client.get(edit).content.decode()
    response = _post_assessment(client, draft, edit="MARKET.ENV", name="农贸市场·环境卫生", group="ENV", points="9")
    assert response.status_code == 302
    assert AssessmentItem.objects.get(version=draft, code="MARKET.ENV").points == 9

    delete = reverse("standards:assessment_delete", args=[draft.number, "DOC.LAW"])
    assert "法治宣传教育" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not AssessmentItem.objects.filter(version=draft, code="DOC.LAW").exists()

    response = client.post(reverse("standards:profile_edit", args=[draft.number, "MARKET"]), {
        "groups": ["PUB", "ORDER", "ENV", "PARK", "VOL"], "unit_kinds": ["operator"], "description": "农贸市场",
        "sample_size": "4"})
    assert response.status_code == 302
    assert TypeProfile.objects.get(version=draft, point_type__code="MARKET").sample_size == 4

    response = client.post(reverse("standards:item_edit", args=[draft.number, "ENV-1"]), {
        "group": "ENV", "point_type": "", "text": "无积存垃圾。", "measure": "occurrences", "threshold": "",
        "distance_m": "", "weight": "3", "deduction": "0.5", "penalty": "1.5"})
    assert response.status_code == 302
    assert CheckItem.objects.get(version=draft, code="ENV-1").penalty == Decimal("1.5")

    compare = client.get(reverse("standards:compare", args=[draft.number])).content.decode()
    assert "新增的测评内容" in compare and "文明交通宣传" in compare
    assert "删除的测评内容" in compare and "法治宣传教育" in compare
    assert "修改的测评内容" in compare and "MARKET.ENV" in compare


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"points": "0"}, "points", "分值必须大于 0"),
    ({"point_type": ""}, "point_type", "必须选择点位类型"),
    ({"method": "materials"}, "point_type", "材料审核类测评内容没有点位类型"),
    ({"group": "TRAFFIC"}, "group", "不检查"),
    ({"group": "ENV"}, "group", "已经涵盖这些检查项"),
    ({"edit": "MARKET.ENV", "group": "ENV", "points": "0.5"}, "points", "分值至少为 1"),
])
def test_bad_assessment_items_get_a_chinese_error_on_their_field(
    cast, as_user, draft, data: dict[str, str], field: str, message: str
) -> None:
    client = as_user(cast.street_admin)
    before = list(AssessmentItem.objects.filter(version=draft).values_list("code", "name", "points"))
    response = _post_assessment(client, draft, **data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    assert list(AssessmentItem.objects.filter(version=draft).values_list("code", "name", "points")) == before


def test_bad_penalties_and_sample_sizes_get_a_chinese_error(cast, as_user, draft) -> None:
    client = as_user(cast.street_admin)
    item = {"group": "", "point_type": "GOV_HALL", "text": "公示服务事项。", "measure": "presence", "threshold": "",
            "distance_m": "", "weight": "2", "deduction": ""}
    url = reverse("standards:item_edit", args=[draft.number, "GOV_HALL-1"])
    response = client.post(url, {**item, "penalty": "3"})
    assert response.status_code == 200
    assert "超过了所属测评内容“窗口单位·专项要求”的分值 2" in response.context["form"].errors["penalty"][0]
    response = client.post(url, {**item, "penalty": "0"})
    assert "测评扣分必须大于 0" in response.context["form"].errors["penalty"][0]
    assert CheckItem.objects.get(version=draft, code="GOV_HALL-1").penalty == 2

    response = client.post(reverse("standards:profile_edit", args=[draft.number, "MARKET"]), {
        "groups": ["PUB"], "unit_kinds": [], "description": "", "sample_size": "0"})
    assert response.status_code == 200
    assert "至少抽查 1 个" in response.context["form"].errors["sample_size"][0]
    profile = TypeProfile.objects.get(version=draft, point_type__code="MARKET")
    assert profile.sample_size == 2 and profile.groups.count() == 5


def test_publishing_a_draft_with_homeless_penalties_is_refused_with_the_items(cast, as_user, draft) -> None:
    client = as_user(cast.street_admin)
    client.post(reverse("standards:assessment_delete", args=[draft.number, "MARKET.ENV"]))
    response = client.post(reverse("standards:publish", args=[draft.number]), {"changelog": "删掉一项"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有所属的测评内容" in html and "农贸市场及周边: 环境卫生与市容市貌 (ENV-1" in html
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_published_version_offers_no_assessment_editing(cast, as_user, catalog: CatalogVersion) -> None:
    client = as_user(cast.street_admin)
    html = client.get(reverse("standards:version", args=[catalog.number])).content.decode()
    assert reverse("standards:assessment_edit", args=[catalog.number, "MARKET.ENV"]) not in html
    assert client.get(reverse("standards:assessment_edit", args=[catalog.number, "MARKET.ENV"])).status_code == 403
    assert client.post(reverse("standards:assessment_delete", args=[catalog.number, "MARKET.ENV"])).status_code == 403
    response = _post_assessment(client, catalog, edit="MARKET.ENV", group="ENV", points="20")
    assert response.status_code == 403
    assert AssessmentItem.objects.get(version=catalog, code="MARKET.ENV").points == 7


def test_a_grid_worker_may_not_edit_assessment_items(cast, as_user, draft) -> None:
    client = as_user(cast.grid_worker_a)
    assert client.get(reverse("standards:assessment_new", args=[draft.number])).status_code == 403
    assert _post_assessment(client, draft).status_code == 403
    assert not AssessmentItem.objects.filter(version=draft, code="MARKET.X").exists()
