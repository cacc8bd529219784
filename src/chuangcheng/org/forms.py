from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from chuangcheng.org import signin


class SignInForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        ip = signin.client_ip(self.request) if self.request else None
        refusal = signin.refusal_before_checking(username, ip)
        if refusal is not None:
            raise forms.ValidationError(refusal.message, code=refusal.code)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            signin.record_attempt(username, ip, succeeded=False)
            refusal = signin.refusal_after_failure(username, ip)
            if refusal is not None:
                raise forms.ValidationError(refusal.message, code=refusal.code) from None
            raise
        signin.record_attempt(username, ip, succeeded=True)
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the device or app"), max_length=80)
