from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "chuangcheng.web"
    label = "web"
