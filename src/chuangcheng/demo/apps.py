from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "chuangcheng.demo"
    label = "demo"
