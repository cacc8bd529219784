from django.urls import path

from chuangcheng.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.read_all, name="read_all"),
    path("<str:code>/open/", views.open_item, name="open"),
]
