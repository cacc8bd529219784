"""`{% drafts_done %}`: the markers of accepted submissions for drafts.js (see core.drafts)."""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from chuangcheng.core.drafts import take_accepted

register = template.Library()


@register.simple_tag(takes_context=True)
def drafts_done(context: Any) -> SafeString:
    done = take_accepted(context.get("request"))
    if not done:
        return mark_safe("")  # noqa: S308 - an empty string
    markers = format_html_join("", '<div hidden data-draft-done="{}" data-draft-token="{}"></div>', done)
    return format_html('{}<script src="{}" defer></script>', markers, static("chuangcheng/drafts.js"))
