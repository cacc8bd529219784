"""The sign-in backend: Django's, reading a signed-in user with the scope every page reads."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from chuangcheng.org.models import User


class ScopedModelBackend(ModelBackend):
    """`ModelBackend` whose user of a session comes with its scope region and person in the same
    query: nearly every page reads `user.scope`, which was a second query per request."""

    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("scope", "person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
