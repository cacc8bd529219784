"""The in-app inbox (站内消息): read your messages, open one (which marks it read), mark all read."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from chuangcheng.core.pagination import paginate
from chuangcheng.notify import queries, services

PER_PAGE = 20


def safe_link(link: str) -> str:
    """The link if it is a path on this site ("/cases/…"), else "": the inbox never sends anyone
    off-site, whatever a message says (no "https://…", no protocol-relative "//host/…")."""
    link = (link or "").strip()
    if not link.startswith("/") or link.startswith(("//", "/\\")):
        return ""
    return link if url_has_allowed_host_and_scheme(link, allowed_hosts=None) else ""


def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    items = queries.inbox_of(request.user)
    if unread_only:
        items = items.filter(read_at__isnull=True)
    return render(request, "notify/inbox.html", {
        "page": paginate(request, items, per_page=PER_PAGE),
        "unread_only": unread_only,
    })


@require_POST
def open_item(request: HttpRequest, code: str) -> HttpResponseRedirect:
    """Mark the message read, then go where it points (a page of this site) or back to the inbox."""
    item = get_object_or_404(queries.inbox_of(request.user), code=code)
    services.mark_read(item, by=request.user)
    return redirect(safe_link(item.link) or reverse("notify:inbox"))


@require_POST
def read_all(request: HttpRequest) -> HttpResponseRedirect:
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, ngettext(
            "%(count)d message marked as read.", "%(count)d messages marked as read.", count
        ) % {"count": count})
    return redirect("notify:inbox")
