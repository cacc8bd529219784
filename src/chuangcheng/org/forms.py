from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from chuangcheng.org import signin


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed sign-ins. This account is locked for %(minutes)d minutes; "
            "try again later or ask the street office to reset your password."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        from django.conf import settings

        username = self.data.get("username", "")
        ip = signin.client_ip(self.request) if self.request else None
        if signin.is_locked_out(username, ip):
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            signin.record_attempt(username, ip, succeeded=False)
            raise
        signin.record_attempt(username, ip, succeeded=True)
        return cleaned




class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the device or app"), max_length=80)
