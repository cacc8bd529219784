"""The hotline pages: the list of work orders with its filters and figures, an order's page with
its steps, the Excel import and export, and the exchange's failures for the street admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chuangcheng.core import clock, sheets
from chuangcheng.core.workflow import Conflict, TransitionNotAllowed
from chuangcheng.hotline import exchange, figures, forms, permissions, queries, services
from chuangcheng.hotline.models import WorkOrder
from chuangcheng.hotline.workflow import ORDERS

PAGE = 100


def _reader(request: HttpRequest) -> None:
    if not permissions.can_see_orders(request.user):
        raise PermissionDenied(_("Only the offices, leaders and units see 12345 work orders."))


def index(request: HttpRequest) -> HttpResponse:
    _reader(request)
    state = request.GET.get("state", "")
    orders = queries.filtered(queries.orders_visible_to(request.user), state)
    street = queries.street_for(request.user)
    today = clock.today()
    since = today - dt.timedelta(days=29)
    admin = street is not None and permissions.can_exchange(request.user, street)
    figs = figures.period_figures(street, since, today) if street is not None and admin else None
    return render(request, "hotline/index.html", {
        "orders": list(orders[:PAGE]), "state": state, "filters": queries.FILTERS, "now": clock.now(),
        "figures": figs, "rate_rows": [(figures.LABELS[k], figs["rates"][k], figures.FORMULAS[k])
                                       for k in figures.FORMULAS] if figs else [],
        "admin": admin, "import_form": forms.ImportForm(),
        "failures": exchange.failures(street) if admin and street is not None else [],
        "stuck": exchange.stuck_pushes(street) if admin and street is not None else [],
    })


def _order(request: HttpRequest, number: str) -> WorkOrder:
    _reader(request)
    order = queries.order_for(request.user, number)
    if order is None:
        raise Http404
    return order


# What the steps are called on the order's page.
STEP_NAMES = {"receive": gettext_lazy("received from the hotline"), "update": gettext_lazy("changed by the hotline"),
              "grant_extension": gettext_lazy("extension granted"),
              "refuse_extension": gettext_lazy("extension refused"),
              "callback": gettext_lazy("Record the callback"),
              **{t.action: t.label for t in ORDERS.transitions}}


def detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    user: Any = request.user
    events = [(e, STEP_NAMES.get(e.action, e.action)) for e in order.events.all()]
    return render(request, "hotline/detail.html", {
        "order": order, "events": events, "allowed": ORDERS.allowed(user, order),
        "now": clock.now(), "answer_form": forms.AnswerForm(initial={"answer": order.answer}),
        "reason_form": forms.ReasonForm(), "extension_form": forms.ExtensionForm(),
        "decision_form": forms.DecisionForm(), "callback_form": forms.CallbackForm(),
    })


FORMS: dict[str, Any] = {"answer": forms.AnswerForm, "return_order": forms.ReasonForm,
                         "request_extension": forms.ExtensionForm, "decide_extension": forms.DecisionForm,
                         "record_callback": forms.CallbackForm}


@require_POST
def step(request: HttpRequest, number: str, action: str) -> HttpResponse:
    order = _order(request, number)
    if action not in ORDERS.table:
        raise Http404
    user: Any = request.user
    form = FORMS[action](request.POST) if action in FORMS else None
    try:
        if form is not None and not form.is_valid():
            raise ValidationError([str(m) for errors in form.errors.values() for m in errors])
        data = form.cleaned_data if form is not None else {}
        if action == "sign":
            services.sign_order(order, by=user)
        elif action == "answer":
            services.answer_order(order, by=user, answer=data["answer"])
        elif action == "finish":
            services.finish_order(order, by=user)
        elif action == "return_order":
            services.return_order(order, by=user, reason=data["reason"])
        elif action == "request_extension":
            services.request_extension(order, by=user, until=data["until"], reason=data["reason"])
        elif action == "decide_extension":
            services.decide_extension(order, by=user, grant=data["grant"], note=data["note"])
        elif action == "record_callback":
            services.record_callback(order, by=user, rating=data["rating"], note=data["note"])
        messages.success(request, _("Done: %(number)s.") % {"number": order.number})
    except (ValidationError, TransitionNotAllowed, Conflict) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    return redirect("hotline:detail", order.number)


def _admin_street(request: HttpRequest) -> Any:
    street = queries.street_for(request.user)
    if street is None or not permissions.can_exchange(request.user, street):
        raise PermissionDenied(_("Only the street office imports and exports work orders."))
    return street


@require_POST
def import_orders(request: HttpRequest) -> HttpResponse:
    street = _admin_street(request)
    form = forms.ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the .xlsx file to import."))
        return redirect("hotline:index")
    result = exchange.import_workbook(form.cleaned_data["file"].read(), street=street, by=request.user)
    if result.ok:
        messages.success(request, _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
                         % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
    else:
        messages.error(request, _("Nothing was imported. Correct these rows and import again:") + " " + "；".join(
            (_("row %(row)d: %(reason)s") % {"row": row, "reason": reason}) if row else reason
            for row, reason in result.errors[:50]))
    return redirect("hotline:index")


def export_orders(request: HttpRequest) -> HttpResponse:
    street = _admin_street(request)
    orders = queries.filtered(queries.orders_visible_to(request.user), request.GET.get("state", ""))
    return sheets.export_response(request, lambda: exchange.export_workbook(orders, street=street, by=request.user),
                                  filename=f"12345-{clock.today():%Y%m%d}.xlsx", back="hotline:index")
