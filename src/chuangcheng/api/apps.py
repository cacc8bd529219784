from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ApiConfig(AppConfig):
    name = "chuangcheng.api"
    label = "api"

    def ready(self) -> None:
        from chuangcheng.api.auth import forget_tokens
        from chuangcheng.org.models import ApiToken, Region, User, tokens_changed

        # A remembered token carries its user and scope: any change to one of them forgets them all.
        for model in (ApiToken, User, Region):
            post_save.connect(forget_tokens, sender=model, dispatch_uid=f"api-forget-tokens-{model.__name__}")
            post_delete.connect(forget_tokens, sender=model, dispatch_uid=f"api-forget-tokens-del-{model.__name__}")
        tokens_changed.connect(forget_tokens, dispatch_uid="api-forget-tokens-bulk")
