from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chuangcheng.api"
    label = "api"
