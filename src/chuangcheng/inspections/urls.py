from django.urls import path, re_path

from chuangcheng.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.today, name="today"),
    path("points/<str:code>/", views.inspect_point, name="inspect"),
    path("offline.json", views.offline_pages, name="offline_pages"),
    path("board/", views.board, name="board"),
    path("rules/", views.rules, name="rules"),
    path("board/plan/", views.board_make_plan, name="make_plan"),
    path("board/add/", views.board_add, name="add_visit"),
    path("board/visits/<str:code>/move/", views.board_move, name="move_visit"),
    path("board/visits/<str:code>/remove/", views.board_remove, name="remove_visit"),
    path("history/", views.history, name="history"),
    path("coverage/", views.coverage, name="coverage"),
    path("ledger.xlsx", views.inspection_export, name="export"),
    # Up to seven digits can only be an id from an old link (a key has 8 to 64 characters,
    # submit.KEY_PATTERN); frozen bulletins still hold such links.
    re_path(r"^(?P<pk>[0-9]{1,7})/$", views.old_inspection_link, name="old_detail"),
    path("<str:key>/", views.inspection_detail, name="detail"),
    path("<str:key>/photos/<str:sha256>/<str:variant>/", views.inspection_photo, name="photo"),
]
