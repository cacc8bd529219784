from django.urls import path

from chuangcheng.standards import views

app_name = "standards"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("types/<str:code>/", views.point_type_detail, name="type"),
    path("draft/", views.draft_start, name="draft_start"),
    path("v<int:number>/", views.version_detail, name="version"),
    path("v<int:number>/compare/", views.compare, name="compare"),
    path("v<int:number>/types/<str:code>/", views.point_type_detail, name="version_type"),
    path("v<int:number>/types/<str:code>/edit/", views.profile_edit, name="profile_edit"),
    path("v<int:number>/items/new/", views.item_edit, name="item_new"),
    path("v<int:number>/items/<str:code>/", views.item_edit, name="item_edit"),
    path("v<int:number>/items/<str:code>/delete/", views.item_delete, name="item_delete"),
    path("v<int:number>/assessment/new/", views.assessment_edit, name="assessment_new"),
    path("v<int:number>/assessment/<str:code>/", views.assessment_edit, name="assessment_edit"),
    path("v<int:number>/assessment/<str:code>/delete/", views.assessment_delete, name="assessment_delete"),
    path("v<int:number>/publish/", views.publish, name="publish"),
    path("v<int:number>/discard/", views.discard, name="discard"),
]
