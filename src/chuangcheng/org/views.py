from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangcheng.core.redirects import safe_next
from chuangcheng.org import queries, services
from chuangcheng.org.forms import SignInForm, TokenForm
from chuangcheng.org.models import ApiToken, User


def _signed_in_user(request: HttpRequest) -> User:
    """The user of a page that LoginRequiredMiddleware guards, so never anonymous."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "org/sign_in.html"
    redirect_authenticated_user = True

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        """`next` through the one helper every page uses: only ever a page of this site."""
        return safe_next(request or self.request, "")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own page: role, scope, password, personal API tokens."""
    user = _signed_in_user(request)
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            wanted = request.POST["revoke"]
            usable = wanted.isascii() and wanted.isdigit() and len(wanted) < 19  # an id, not junk
            token = ApiToken.objects.filter(user=user, pk=wanted).first() if usable else None
            if token is not None:
                services.revoke_api_token(token, by=user)
                messages.success(request, _("The token was revoked."))
            return redirect("account")
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, new_key = services.create_api_token(user, name=form.cleaned_data["name"])
            messages.success(request, _("Copy the new token now: it is shown only once."))
    else:
        form = TokenForm()
    return render(
        request,
        "org/account.html",
        {"tokens": queries.active_tokens_of(user), "form": form, "new_key": new_key,
         "token_days": settings.API_TOKEN_DAYS},
    )


class PasswordChange(PasswordChangeView):
    template_name = "org/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(form.user)
        messages.success(self.request, _("Your password was changed. Your API tokens were revoked: make new "
                                         "ones for your apps."))
        return response
