from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AdminPasswordChangeForm, AuthenticationForm
from django.utils.translation import gettext_lazy as _

from chuangcheng.org import services, signin


class ThrottledSignIn(AuthenticationForm):
    """Sign-in throttling (chuangcheng.org.signin) around Django's check of the password: for the
    sign-in page and the back office's own login page alike, so neither is a way around it."""

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


class SignInForm(ThrottledSignIn):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class AdminSignInForm(ThrottledSignIn, AdminAuthenticationForm):
    """The back office's login page (admin.site.login_form)."""


class AdminSetPasswordForm(AdminPasswordChangeForm):
    """An operator setting someone's password in the back office: that login's API tokens go too."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit:
            services.revoke_all_api_tokens(user)
        return user


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the device or app"), max_length=80)
