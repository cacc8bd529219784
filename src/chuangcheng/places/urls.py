from django.urls import path

from chuangcheng.places import views

app_name = "places"
urlpatterns = [
    path("", views.point_list, name="list"),
    path("map/", views.point_map, name="map"),
    path("new/", views.point_edit, name="new"),
    path("<str:code>/", views.point_detail, name="detail"),
    path("<str:code>/edit/", views.point_edit, name="edit"),
    path("<str:code>/photos/", views.point_photo_upload, name="photo_upload"),
    path("<str:code>/photos/<str:sha256>/", views.point_photo, name="photo"),
    path("<str:code>/photos/<str:sha256>/thumbnail/", views.point_photo, {"thumbnail": True}, name="photo_thumbnail"),
    path("<str:code>/qr/", views.point_qr_sheet, name="qr"),
    path("<str:code>/qr.svg", views.point_qr_image, {"fmt": "svg"}, name="qr_svg"),
    path("<str:code>/qr.png", views.point_qr_image, {"fmt": "png"}, name="qr_png"),
]
