from django.urls import path

from chuangcheng.cases import escalation_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("ledger.xlsx", views.case_export, name="export"),
    path("views/", views.save_view, name="save_view"),
    path("views/<str:code>/delete/", views.delete_view, name="delete_view"),
    path("escalation/rules/", escalation_views.rules_page, name="escalation_rules"),
    path("escalation/notices/", escalation_views.notice_list, name="notices"),
    path("escalation/notices/<str:code>.docx", escalation_views.notice_download, name="notice_docx"),
    path("escalation/talks/", escalation_views.talks, name="talks"),
    path("escalation/referrals/", escalation_views.referrals, name="referrals"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/rectify/", views.case_rectify, name="rectify"),
    path("<str:number>/act/<str:action>/", views.case_action, name="act"),
    path("<str:number>/photos/<str:sha256>/<str:variant>/", views.case_photo, name="photo"),
]
