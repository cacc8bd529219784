"""/assessment/: mock assessment rounds (模拟测评). A round is named by its street's code and its
number (第 N 轮), never by its id."""

from django.urls import path

from chuangcheng.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("new/", views.new_round, name="new"),
    path("<str:street>/<int:number>/", views.round_detail, name="detail"),
    path("<str:street>/<int:number>/assign/", views.round_assign, name="assign"),
    path("<str:street>/<int:number>/act/<str:action>/", views.round_act, name="act"),
    path("<str:street>/<int:number>/points/<int:position>/", views.record_point, name="record"),
    path("<str:street>/<int:number>/report/", views.round_report, name="report"),
    path("<str:street>/<int:number>/report.docx", views.report_docx, name="report_docx"),
    path("<str:street>/<int:number>/report.json", views.report_json, name="report_json"),
    path("<str:street>/<int:number>/photos/<str:sha256>/<str:variant>/", views.round_photo, name="photo"),
]
