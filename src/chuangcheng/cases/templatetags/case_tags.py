"""`{% case_state case light %}`: a case's state with its deadline light and the extension badge.
A tag, not an included template: the case list shows it on every row (see cases/_state.html)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from chuangcheng.cases.models import State

register = template.Library()

# get_state_display() hashes every choice (each a lazy translation) on each call: a dict made once.
STATE_LABELS = dict(State.choices)


@register.simple_tag
def case_state(case: Any, light: str = "") -> SafeString:
    """light: "red" overdue, "yellow" due soon, anything else no light."""
    lights = {"red": _("overdue"), "yellow": _("due soon")}
    html = format_html('<span class="state state-{}">{}</span>', case.state, STATE_LABELS.get(case.state, case.state))
    if light in lights:
        html += format_html(' <span class="light {}">{}</span>', light, lights[light])
    if case.extension_requested_until:
        html += format_html(' <span class="badge">{}</span>', _("extension asked"))
    return html
