"""Making, building, publishing and closing a survey: the shipped templates, the builder's rules
(structure only while a draft, texts and definitions any time, audited), publication per community
or grid with a random token, and who may do what."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chuangcheng.core.models import AuditEvent
from chuangcheng.places.qr import render_qr
from chuangcheng.surveys import queries, services
from chuangcheng.surveys.models import Option, Publication, Question, Survey
from tests.conftest import Cast, client_for

pytestmark = pytest.mark.django_db


def roles(survey: Survey, code: str) -> dict[str, tuple[str, Decimal | None]]:
    return {o.code: (o.role, o.score) for o in Option.objects.filter(question__survey=survey, question__code=code)}


def texts(survey: Survey, code: str) -> list[str]:
    return list(Option.objects.filter(question__survey=survey, question__code=code).values_list("text", flat=True))


# --- templates -----------------------------------------------------------------------------------


def test_the_awareness_template_counts_heard_of_as_aware(cast: Cast) -> None:
    survey = services.create_from_template(region=cast.street, template="awareness", by=cast.street_admin)
    assert survey.status == Survey.Status.DRAFT and survey.template == "awareness"
    assert survey.title == "创建全国文明城市知晓率调查"
    questions = list(survey.questions.all())
    assert [q.code for q in questions] == ["A1", "A2", "A3", "A4"]
    assert all(q.indicator == "awareness" and q.required and q.kind == "single" for q in questions)
    assert texts(survey, "A1") == ["知道", "听说过", "不知道"]
    assert roles(survey, "A1") == {"know": ("positive", None), "heard": ("positive", None),
                                   "dont_know": ("negative", None)}


def test_the_satisfaction_template_scores_five_levels_and_excludes_dont_know(cast: Cast) -> None:
    survey = services.create_from_template(region=cast.community_a, template="satisfaction", by=cast.admin_a,
                                           title="甲社区满意度")
    assert survey.title == "甲社区满意度"
    rated = survey.questions.filter(indicator="satisfaction")
    assert rated.count() == 8
    assert set(rated.values_list("topic", flat=True)) >= {"市容环境", "交通秩序", "公共厕所", "政府办事效率",
                                                          "夜间出行安全", "社区工作"}
    assert texts(survey, "M1") == ["满意", "比较满意", "一般", "不太满意", "不满意", "不清楚"]
    assert roles(survey, "M1") == {
        "5": ("positive", Decimal(100)), "4": ("positive", Decimal(80)), "3": ("negative", Decimal(60)),
        "2": ("negative", Decimal(40)), "1": ("negative", Decimal(0)), "0": ("excluded", None)}
    suggestion = survey.questions.get(code="T1")
    assert suggestion.kind == "text" and not suggestion.required


def test_support_and_participation_templates_follow_the_assessment(cast: Cast) -> None:
    support = services.create_from_template(region=cast.street, template="support", by=cast.street_admin)
    assert roles(support, "S1") == {"support": ("positive", None), "indifferent": ("negative", None),
                                    "oppose": ("negative", None)}
    participation = services.create_from_template(region=cast.street, template="participation", by=None)
    assert texts(participation, "P1") == ["参与过", "没有参与过", "说不清"]
    follow_up = participation.questions.get(code="P2")
    assert follow_up.show_if_question.code == "P1" and follow_up.show_if_options == ["yes"]
    assert follow_up.kind == "multiple" and follow_up.indicator == ""


def test_the_campaign_template_combines_the_four(cast: Cast) -> None:
    survey = services.create_from_template(region=cast.street, template="campaign", by=cast.street_admin)
    indicators = set(survey.questions.exclude(indicator="").values_list("indicator", flat=True))
    assert indicators == {"awareness", "support", "participation", "satisfaction"}
    orders = list(survey.questions.values_list("order", flat=True))
    assert orders == sorted(orders) and len(set(orders)) == len(orders) == 16


def test_an_unknown_template_is_refused_and_nothing_is_made(cast: Cast) -> None:
    with pytest.raises(ValidationError) as err:
        services.create_from_template(region=cast.street, template="happiness", by=cast.street_admin)
    assert "template" in err.value.message_dict
    assert not Survey.objects.exists()


def test_a_grid_worker_or_another_community_cannot_make_a_survey(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        services.create_from_template(region=cast.community_a, template="support", by=cast.grid_worker_a)
    with pytest.raises(PermissionDenied):
        services.create_from_template(region=cast.community_a, template="support", by=cast.admin_b)
    with pytest.raises(PermissionDenied):
        services.create_survey(region=cast.grid_a, by=cast.admin_a, title="网格问卷")
    assert not Survey.objects.exists()


# --- building ------------------------------------------------------------------------------------


@pytest.fixture
def blank(cast: Cast) -> Survey:
    return services.create_survey(region=cast.community_a, by=cast.admin_a, title="垃圾分类调查")


def test_questions_are_added_with_codes_options_and_skip_logic(cast: Cast, blank: Survey) -> None:
    q1 = services.add_question(blank, by=cast.admin_a, text="您家是否参与垃圾分类？", options=["是", "否"],
                               indicator="participation")
    q2 = services.add_question(blank, by=cast.admin_a, text="您分类多久了？", kind="single",
                               options=["一年内", "一年以上"], show_if_question=q1, show_if_options=["A"])
    q3 = services.add_question(blank, by=cast.admin_a, text="建议", kind="text", required=False)
    assert [q.code for q in (q1, q2, q3)] == ["Q1", "Q2", "Q3"] and [q.order for q in (q1, q2, q3)] == [1, 2, 3]
    assert list(q1.options.values_list("code", "text")) == [("A", "是"), ("B", "否")]
    assert q2.show_if_question == q1 and q2.show_if_options == ["A"]
    assert not q3.options.exists()
    assert AuditEvent.objects.filter(action="create", object_type="surveys.question", actor=cast.admin_a).count() == 3


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"text": "", "options": ["是", "否"]}, "text"),
    ({"text": "只有一个选项", "options": ["是"]}, "options"),
    ({"text": "重复", "options": ["是", "是"]}, "options"),
    ({"text": "文本算指标", "kind": "text", "indicator": "satisfaction"}, "indicator"),
    ({"text": "多选算指标", "kind": "multiple", "indicator": "support", "options": ["a", "b"]}, "indicator"),
    ({"text": "怪代码", "code": "Q 1!", "options": ["是", "否"]}, "code"),
])
def test_a_bad_question_is_refused_and_nothing_is_stored(cast: Cast, blank: Survey, kwargs: dict[str, Any],
                                                          field: str) -> None:
    with pytest.raises(ValidationError) as err:
        services.add_question(blank, by=cast.admin_a, **kwargs)
    assert field in err.value.message_dict
    assert not Question.objects.exists() and not Option.objects.exists()


def test_skip_logic_must_point_to_an_earlier_choice_and_its_own_options(cast: Cast, blank: Survey) -> None:
    q1 = services.add_question(blank, by=cast.admin_a, text="是否知道？", options=["知道", "不知道"])
    text = services.add_question(blank, by=cast.admin_a, text="说说看", kind="text", required=False)
    with pytest.raises(ValidationError) as err:
        services.add_question(blank, by=cast.admin_a, text="x", options=["a", "b"], show_if_question=q1,
                              show_if_options=["Z"])
    assert "show_if_options" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.add_question(blank, by=cast.admin_a, text="x", options=["a", "b"], show_if_question=text,
                              show_if_options=["A"])
    assert "show_if_question" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.update_question(q1, by=cast.admin_a, text=q1.text, show_if_question=q1, show_if_options=["A"])


def test_moving_a_question_keeps_skip_logic_pointing_backwards(cast: Cast, blank: Survey) -> None:
    q1 = services.add_question(blank, by=cast.admin_a, text="一", options=["是", "否"])
    q2 = services.add_question(blank, by=cast.admin_a, text="二", options=["是", "否"], show_if_question=q1,
                               show_if_options=["A"])
    q3 = services.add_question(blank, by=cast.admin_a, text="三", options=["是", "否"])
    services.move_question(q3, by=cast.admin_a, up=True)
    assert list(blank.questions.values_list("code", flat=True)) == ["Q1", "Q3", "Q2"]
    with pytest.raises(ValidationError):
        services.move_question(q2, by=cast.admin_a, up=True)
        services.move_question(q2, by=cast.admin_a, up=True)
    assert list(blank.questions.values_list("code", flat=True))[0] == "Q1"
    with pytest.raises(ValidationError):
        services.delete_question(q1, by=cast.admin_a)
    services.delete_question(q3, by=cast.admin_a)
    assert list(blank.questions.values_list("code", flat=True)) == ["Q1", "Q2"]


def test_options_are_added_recoded_moved_and_deleted_in_a_draft(cast: Cast, blank: Survey) -> None:
    q1 = services.add_question(blank, by=cast.admin_a, text="满意吗？", options=["满意", "不满意"],
                               indicator="satisfaction")
    extra = services.add_option(q1, by=cast.admin_a, text="不清楚", code="0", role="excluded")
    assert extra.order == 3
    option = q1.options.get(code="A")
    services.update_option(option, by=cast.admin_a, text="满意", role="positive", score=100, code="5")
    option.refresh_from_db()
    assert (option.code, option.role, option.score) == ("5", "positive", Decimal(100))
    services.move_option(extra, by=cast.admin_a, up=True)
    assert list(q1.options.values_list("code", flat=True)) == ["5", "0", "B"]
    with pytest.raises(ValidationError):
        services.update_option(option, by=cast.admin_a, text="满意", role="positive", score=101)
    services.delete_option(extra, by=cast.admin_a)
    with pytest.raises(ValidationError):  # a choice question keeps two options
        services.delete_option(option, by=cast.admin_a)
    assert q1.options.count() == 2


# --- publishing ----------------------------------------------------------------------------------


@pytest.fixture
def campaign(cast: Cast) -> Survey:
    return services.create_from_template(region=cast.street, template="campaign", by=cast.street_admin)


def test_publishing_opens_the_draft_with_one_random_link_per_region(cast: Cast, campaign: Survey) -> None:
    made = services.publish(campaign, regions=[cast.community_a, cast.grid_b], by=cast.street_admin)
    campaign.refresh_from_db()
    assert campaign.status == Survey.Status.OPEN
    assert [p.region for p in made] == [cast.community_a, cast.grid_b]
    tokens = [p.token for p in made]
    assert len(set(tokens)) == 2 and all(len(t) == 16 for t in tokens)
    assert AuditEvent.objects.filter(action="publish", object_type="surveys.publication").count() == 2
    again = services.publish(campaign, regions=[cast.community_a, cast.community_b], by=cast.street_admin)
    assert again[0].pk == made[0].pk and again[0].token == tokens[0]
    assert Publication.objects.filter(survey=campaign).count() == 3


def test_publishing_outside_the_survey_or_the_users_area_is_refused(cast: Cast) -> None:
    survey = services.create_from_template(region=cast.community_a, template="support", by=cast.admin_a)
    with pytest.raises(ValidationError):
        services.publish(survey, regions=[cast.grid_b], by=cast.admin_a)
    with pytest.raises(ValidationError):
        services.publish(survey, regions=[cast.street], by=cast.street_admin)
    with pytest.raises(ValidationError):
        services.publish(survey, regions=[], by=cast.admin_a)
    with pytest.raises(PermissionDenied):
        services.publish(survey, regions=[cast.community_a], by=cast.admin_b)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT and not Publication.objects.exists()


def test_an_empty_draft_cannot_be_published(cast: Cast, blank: Survey) -> None:
    with pytest.raises(ValidationError):
        services.publish(blank, regions=[cast.community_a], by=cast.admin_a)
    blank.refresh_from_db()
    assert blank.status == Survey.Status.DRAFT


def test_after_publication_only_texts_and_definitions_change(cast: Cast, campaign: Survey) -> None:
    services.publish(campaign, regions=[cast.community_a], by=cast.street_admin)
    a1 = campaign.questions.get(code="A1")
    with pytest.raises(ValidationError):
        services.add_question(campaign, by=cast.street_admin, text="新问题", options=["是", "否"])
    with pytest.raises(ValidationError):
        services.add_option(a1, by=cast.street_admin, text="不清楚")
    with pytest.raises(ValidationError):
        services.delete_question(a1, by=cast.street_admin)
    with pytest.raises(ValidationError):
        services.update_question(a1, by=cast.street_admin, text=a1.text, required=False)
    heard = a1.options.get(code="heard")
    with pytest.raises(ValidationError):
        services.update_option(heard, by=cast.street_admin, text="听说过", role="positive", score=None, code="H")
    # Texts are corrected; 听说过 is configured not to count as aware (logged with a note).
    services.update_question(a1, by=cast.street_admin, text="您知道我市正在创建全国文明城市吗？（单选）")
    services.update_option(heard, by=cast.street_admin, text="听说过", role="negative", score=None)
    heard.refresh_from_db()
    assert heard.role == "negative" and heard.code == "heard"
    event = AuditEvent.objects.get(action="update", object_type="surveys.option")
    assert event.changes == {"role": ["positive", "negative"]} and event.note
    assert campaign.questions.count() == 16 and a1.options.count() == 3


def test_closing_stops_answers_and_is_audited_once(cast: Cast, campaign: Survey) -> None:
    services.publish(campaign, regions=[cast.community_a], by=cast.street_admin)
    with pytest.raises(PermissionDenied):
        services.close(campaign, by=cast.admin_a)
    services.close(campaign, by=cast.street_admin)
    services.close(campaign, by=cast.street_admin)
    campaign.refresh_from_db()
    assert campaign.status == Survey.Status.CLOSED
    closings = [e for e in AuditEvent.objects.filter(action="update", object_type="surveys.survey")
                if e.changes.get("status") == ["open", "closed"]]
    assert len(closings) == 1
    with pytest.raises(ValidationError):
        services.publish(campaign, regions=[cast.community_b], by=cast.street_admin)


# --- pages ---------------------------------------------------------------------------------------


def test_the_list_shows_a_community_its_own_and_the_streets_published_surveys(cast: Cast) -> None:
    street = services.create_from_template(region=cast.street, template="support", by=cast.street_admin)
    own_b = services.create_from_template(region=cast.community_b, template="support", by=cast.admin_b)
    own_a = services.create_from_template(region=cast.community_a, template="awareness", by=cast.admin_a)
    services.publish(street, regions=[cast.community_a], by=cast.street_admin)
    response = client_for(cast.admin_a).get(reverse("surveys:list"))
    assert response.status_code == 200
    shown = {s.pk for s in response.context["surveys"]}
    assert shown == {street.pk, own_a.pk}
    assert own_b.pk not in shown
    assert client_for(cast.admin_a).get(reverse("surveys:detail", args=[own_b.code])).status_code == 404


def test_a_survey_is_named_by_its_code_in_its_addresses_and_never_by_its_id(cast: Cast) -> None:
    survey = services.create_from_template(region=cast.community_a, template="support", by=cast.admin_a)
    assert len(survey.code) == 10 and Survey.objects.filter(code=survey.code).count() == 1
    client = client_for(cast.admin_a)
    listed = client.get(reverse("surveys:list")).content.decode()
    assert f'href="/surveys/{survey.code}/"' in listed and f"/surveys/{survey.pk}/" not in listed
    assert client.get(reverse("surveys:detail", args=[survey.code])).status_code == 200
    assert client.get(f"/surveys/{survey.pk}/").status_code == 404


def test_the_list_reads_its_counts_in_a_fixed_number_of_queries(cast: Cast, django_assert_max_num_queries: Any
                                                                ) -> None:
    for template in ("support", "awareness", "satisfaction"):
        survey = services.create_from_template(region=cast.street, template=template, by=cast.street_admin)
        services.publish(survey, regions=[cast.community_a, cast.community_b], by=cast.street_admin)
    client = client_for(cast.street_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("surveys:list"))
    rows = {s.template: s for s in response.context["surveys"]}
    assert rows["satisfaction"].question_count == 9 and rows["support"].publication_count == 2


def test_an_admin_makes_a_survey_from_a_template_on_the_page(cast: Cast) -> None:
    client = client_for(cast.admin_a)
    assert client.get(reverse("surveys:create")).status_code == 200
    response = client.post(reverse("surveys:create"), {"template": "satisfaction", "title": "",
                                                       "region": cast.community_a.pk})
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("surveys:builder", args=[survey.code])
    assert survey.region == cast.community_a and survey.questions.count() == 9
    bad = client.post(reverse("surveys:create"), {"template": "blank", "title": "", "region": cast.community_a.pk})
    assert bad.status_code == 400 and Survey.objects.count() == 1
    outside = client.post(reverse("surveys:create"), {"template": "support", "region": cast.community_b.pk})
    assert outside.status_code == 400 and Survey.objects.count() == 1
    assert client_for(cast.grid_worker_a).get(reverse("surveys:create")).status_code == 403


def test_the_builder_adds_and_edits_questions_through_its_forms(cast: Cast, blank: Survey) -> None:
    client = client_for(cast.admin_a)
    assert client.get(reverse("surveys:builder", args=[blank.code])).status_code == 200
    response = client.post(reverse("surveys:builder_add_question", args=[blank.code]), {
        "new-text": "您家是否参与垃圾分类？", "new-kind": "single", "new-required": "on",
        "new-indicator": "participation", "new-options": "是\n否\n"})
    assert response.status_code == 302
    client.post(reverse("surveys:builder_add_question", args=[blank.code]), {
        "new-text": "坚持多久了？", "new-kind": "single", "new-options": "一年内\n一年以上", "new-show_if": ["Q1:A"]})
    q2 = blank.questions.get(code="Q2")
    assert q2.show_if_question.code == "Q1" and q2.show_if_options == ["A"] and not q2.required
    client.post(reverse("surveys:builder_question", args=[blank.code, "Q2"]), {
        "q-Q2-text": "坚持垃圾分类多久了？", "q-Q2-kind": "single", "q-Q2-required": "on", "q-Q2-show_if": ["Q1:A"]})
    q2.refresh_from_db()
    assert q2.text == "坚持垃圾分类多久了？" and q2.required
    client.post(reverse("surveys:builder_option", args=[blank.code, "Q1", "A"]), {
        f"o-{blank.questions.get(code='Q1').pk}-A-text": "是", f"o-{blank.questions.get(code='Q1').pk}-A-code": "A",
        f"o-{blank.questions.get(code='Q1').pk}-A-role": "positive"})
    assert Option.objects.get(question__code="Q1", code="A").role == "positive"
    bad = client.post(reverse("surveys:builder_add_question", args=[blank.code]), {
        "new-text": "只有一个选项", "new-kind": "single", "new-options": "是"})
    assert bad.status_code == 400 and blank.questions.count() == 2
    client.post(reverse("surveys:builder_question_action", args=[blank.code, "Q2", "up"]))
    assert list(blank.questions.values_list("code", flat=True)) == ["Q1", "Q2"]  # refused: Q2 depends on Q1
    assert client_for(cast.admin_b).get(reverse("surveys:builder", args=[blank.code])).status_code == 404
    assert client_for(cast.street_admin).get(reverse("surveys:builder", args=[blank.code])).status_code == 200


def test_a_community_reading_the_streets_survey_cannot_build_it(cast: Cast, campaign: Survey) -> None:
    services.publish(campaign, regions=[cast.community_a], by=cast.street_admin)
    client = client_for(cast.admin_a)
    assert client.get(reverse("surveys:detail", args=[campaign.code])).status_code == 200
    assert client.get(reverse("surveys:builder", args=[campaign.code])).status_code == 403
    assert client.post(reverse("surveys:close", args=[campaign.code])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == Survey.Status.OPEN


def test_the_publish_page_offers_the_area_and_shows_link_and_qr_code(cast: Cast, campaign: Survey) -> None:
    client = client_for(cast.street_admin)
    page = client.get(reverse("surveys:publish", args=[campaign.code]))
    offered = set(page.context["form"].fields["regions"].queryset)
    assert offered == {cast.community_a, cast.community_b, cast.grid_a, cast.grid_b}
    response = client.post(reverse("surveys:publish", args=[campaign.code]), {"regions": [cast.grid_a.pk]})
    assert response.status_code == 302
    publication = Publication.objects.get()
    detail = client.get(reverse("surveys:detail", args=[campaign.code]))
    url = "http://testserver" + reverse("survey_answer:answer", args=[publication.token])
    assert url in detail.content.decode()
    poster = client.get(reverse("surveys:qr", args=[campaign.code, publication.token]))
    assert poster.status_code == 200 and poster.context["url"] == url
    png = client.get(reverse("surveys:qr_png", args=[campaign.code, publication.token]))
    assert png["Content-Type"] == "image/png" and png.content == render_qr(url, "png")
    svg = client.get(reverse("surveys:qr_svg", args=[campaign.code, publication.token]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert client_for(cast.admin_b).get(reverse("surveys:qr", args=[campaign.code, publication.token])).status_code \
        == 404


def test_the_link_uses_the_public_base_url_when_set(cast: Cast, campaign: Survey, settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://cc.example.cn/"
    publication = services.publish(campaign, regions=[cast.community_a], by=cast.street_admin)[0]
    assert queries.answer_url(publication) == f"https://cc.example.cn/s/{publication.token}/"


def test_preview_shows_the_questionnaire_without_sending(cast: Cast, campaign: Survey) -> None:
    response = client_for(cast.street_admin).get(reverse("surveys:preview", args=[campaign.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="preview-note"' in html and 'name="q-A1"' in html and "disabled" in html


def test_a_published_survey_is_corrected_on_the_builder_page(cast: Cast, campaign: Survey) -> None:
    services.publish(campaign, regions=[cast.community_a], by=cast.street_admin)
    client = client_for(cast.street_admin)
    page = client.get(reverse("surveys:builder", args=[campaign.code]))
    assert page.status_code == 200 and b'id="published-note"' in page.content
    assert b'id="add-question"' not in page.content
    client.post(reverse("surveys:builder_question", args=[campaign.code, "S1"]),
                {"t-S1-text": "您是否支持我市创建全国文明城市？", "t-S1-help_text": ""})
    s1 = campaign.questions.get(code="S1")
    assert s1.text == "您是否支持我市创建全国文明城市？" and s1.indicator == "support" and s1.required
    client.post(reverse("surveys:builder_option", args=[campaign.code, "S1", "indifferent"]), {
        f"o-{s1.pk}-indifferent-text": "无所谓", f"o-{s1.pk}-indifferent-role": "excluded"})
    option = s1.options.get(code="indifferent")
    assert option.role == "excluded"
    client.post(reverse("surveys:builder_question_action", args=[campaign.code, "S1", "delete"]))
    assert campaign.questions.filter(code="S1").exists()


def test_the_answer_page_reads_the_questionnaire_in_a_fixed_number_of_queries(
        cast: Cast, campaign: Survey, django_assert_max_num_queries: Any) -> None:
    from django.test import Client

    publication = services.publish(campaign, regions=[cast.community_a], by=cast.street_admin)[0]
    with django_assert_max_num_queries(6):
        response = Client().get(reverse("survey_answer:answer", args=[publication.token]))
    assert response.status_code == 200
