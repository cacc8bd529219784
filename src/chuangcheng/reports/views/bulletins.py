"""Daily bulletin pages: the list of a subdistrict's bulletins, one bulletin in its official look
(every figure a link to the list behind it), its Word download and its photos, and the street
admin's two actions on a draft (refresh, publish)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chuangcheng.core import clock
from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import paginate
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.views import photo_view
from chuangcheng.org.models import Region
from chuangcheng.reports import bulletin_doc as document
from chuangcheng.reports import permissions
from chuangcheng.reports.bulletin_docx import render_docx
from chuangcheng.reports.models import Bulletin, Publication
from chuangcheng.reports.queries import bulletins as queries
from chuangcheng.reports.services import bulletins as services


class PublishForm(forms.Form):
    remarks = forms.CharField(label=gettext_lazy("Editor's note (printed under the title)"), required=False,
                              max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=gettext_lazy("Rectification deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    requirements = forms.CharField(label=gettext_lazy("Rectification requirements (one a line)"), required=False,
                                   max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))


class DraftForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))


class MonthlyDraftForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), max_length=7,
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}))

    def clean_month(self) -> dt.date:
        try:
            return _month(self.cleaned_data["month"])
        except Http404:
            raise forms.ValidationError(gettext_lazy("Give the month as YYYY-MM.")) from None


def _street(request: HttpRequest, code: str) -> Region:
    return or_404(queries.streets_for(request.user).filter(code=code).first())


def _month(value: str) -> dt.date:
    if len(value) != 7:
        raise Http404
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise Http404 from None


def _day(value: str) -> tuple[dt.date, str]:
    """A bulletin's key in its URL: a day (2026-12-02, the daily bulletin) or a month (2026-11,
    the monthly one)."""
    if len(value) == 7:
        return _month(value), Bulletin.Kind.MONTHLY
    try:
        return dt.date.fromisoformat(value), Bulletin.Kind.DAILY
    except ValueError:
        raise Http404 from None


def _bulletin(request: HttpRequest, street_code: str, day: str) -> Bulletin:
    """The bulletin, when the user may read it: 404 outside their subdistricts, 403 when it is not
    for their role (or a draft and they do not manage it)."""
    bulletin = or_404(queries.bulletin_for(request.user, street_code, *_day(day)))
    if not permissions.can_read_bulletin(request.user, bulletin):
        raise PermissionDenied(_("This bulletin is not addressed to your role."))
    return bulletin


def bulletin_list(request: HttpRequest) -> HttpResponse:
    streets = list(queries.streets_for(request.user))
    streets = [s for s in streets if permissions.can_list_bulletins(request.user, s)]
    if not streets:
        raise PermissionDenied(_("Bulletins are not addressed to your role."))
    wanted = request.GET.get("street", "")[:40]
    street = next((s for s in streets if s.code == wanted), streets[0])
    bulletins = queries.bulletins_visible_to(request.user).filter(street=street).order_by("-day")
    can_manage = permissions.can_manage_bulletins(request.user, street)
    return render(request, "reports/bulletin_list.html", {
        "street": street, "streets": streets, "page": paginate(request, bulletins),
        "can_manage": can_manage, "draft_form": DraftForm(initial={"day": clock.today()}) if can_manage else None,
        "monthly_form": MonthlyDraftForm(initial={"month": clock.today().isoformat()[:7]}) if can_manage else None,
    })


def _href(value: dict[str, Any]) -> str:
    try:
        url = reverse(value["view"], args=value.get("args") or [])
    except NoReverseMatch:
        return ""
    return f"{url}?{value['query']}" if value.get("query") else url


def with_hrefs(content: Any) -> Any:
    """A copy of the content where every link ({"view", "args", "query"}) is also a URL ("href")."""
    if isinstance(content, dict):
        out = {key: with_hrefs(value) for key, value in content.items()}
        if "view" in content and "query" in content:
            out["href"] = _href(content)
        return out
    if isinstance(content, list):
        return [with_hrefs(value) for value in content]
    return copy.copy(content)


def page_content(bulletin: Bulletin) -> dict[str, Any]:
    """The content as the page shows it: links resolved, each photo's address through this
    bulletin's own photo view."""
    content: dict[str, Any] = with_hrefs(bulletin.content)
    args = [bulletin.street.code, bulletin.day.isoformat()]
    rows = content.get("typical", [])
    shown = Photo.objects.in_bulk([row[side]["sha256"] for row in rows for side in ("before", "after")],
                                  field_name="sha256")
    for row in rows:
        for side in ("before", "after"):
            sha256 = row[side]["sha256"]
            # The medium version (1024 px) on the page, the full display version behind a click.
            row[side]["src"] = reverse("reports:bulletin_photo", args=[*args, sha256, "medium"])
            row[side]["full"] = reverse("reports:bulletin_photo", args=[*args, sha256, "display"])
            if sha256 in shown:
                row[side]["width"], row[side]["height"] = shown[sha256].medium_size
    return content


def article_context(content: dict[str, Any], *, number: int | None, remarks: str) -> dict[str, Any]:
    """What `bulletin_article.html` renders: the content (links resolved), its 版头 and its blocks."""
    return {"c": content, "head": document.head(content, number=number),
            "blocks": document.for_page(document.blocks(content, number=number, remarks=remarks))}


def bulletin_detail(request: HttpRequest, street: str, day: str) -> HttpResponse:
    bulletin = _bulletin(request, street, day)
    can_publish = permissions.can_publish_bulletin(request.user, bulletin)
    required = bulletin.content.get("requirements") or {}
    initial = {"remarks": bulletin.remarks, "deadline": required.get("deadline"),
               "requirements": "\n".join(required.get("items", []))}
    return render(request, "reports/bulletin_detail.html", {
        "bulletin": bulletin,
        **article_context(page_content(bulletin), number=bulletin.number, remarks=bulletin.remarks),
        "can_publish": can_publish,
        "publish_form": PublishForm(initial=initial) if can_publish else None,
    })


def bulletin_docx(request: HttpRequest, street: str, day: str) -> HttpResponse:
    bulletin = _bulletin(request, street, day)
    body = render_docx(bulletin.content, number=bulletin.number, remarks=bulletin.remarks)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    suffix = f"-{bulletin.number}" if bulletin.number else "-draft"
    name = "monthly" if bulletin.kind == Bulletin.Kind.MONTHLY else "bulletin"
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{bulletin.street.code}-{bulletin.key}{suffix}.docx"')
    return response


def may_see_photo(request: HttpRequest, photo: Photo, /, *, street: str, day: str) -> bool:
    """A photo the bulletin shows, to those who may read the bulletin; no other photo."""
    return queries.photo_ids(_bulletin(request, street, day).content).get(photo.sha256) == photo.pk


bulletin_photo = photo_view(may_see_photo, variants=(Photo.Variant.DISPLAY, Photo.Variant.MEDIUM,
                                                          Photo.Variant.THUMBNAIL))


@require_POST
def bulletin_refresh(request: HttpRequest, street: str, day: str) -> HttpResponse:
    """Draft the bulletin of the day, or compose the draft again with the latest figures."""
    region = _street(request, street)
    the_day, kind = _day(day)
    if not permissions.can_manage_bulletins(request.user, region):
        raise PermissionDenied(_("Only the subdistrict's street admins draft and publish its bulletins."))
    if the_day > clock.today():
        messages.error(request, _("A bulletin reports a day that has begun."))
        return redirect(f"{reverse('reports:bulletins')}?street={region.code}")
    try:
        bulletin = services.draft_bulletin(region, the_day, by=request.user, kind=kind)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:bulletin", region.code, day)
    messages.success(request, _("The draft now shows the latest figures."))
    return redirect("reports:bulletin", region.code, bulletin.key)


@require_POST
def bulletin_draft(request: HttpRequest) -> HttpResponse:
    """The list's "draft a bulletin" form: a day of the chosen subdistrict."""
    region = _street(request, request.POST.get("street", "")[:40])
    if "month" in request.POST:
        monthly = MonthlyDraftForm(request.POST)
        if not monthly.is_valid():
            messages.error(request, _("Give the month as YYYY-MM."))
            return redirect(f"{reverse('reports:bulletins')}?street={region.code}")
        return bulletin_refresh(request, region.code, monthly.cleaned_data["month"].isoformat()[:7])
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date as YYYY-MM-DD."))
        return redirect(f"{reverse('reports:bulletins')}?street={region.code}")
    return bulletin_refresh(request, region.code, form.cleaned_data["day"].isoformat())


@require_POST
def bulletin_publish(request: HttpRequest, street: str, day: str) -> HttpResponse:
    bulletin = _bulletin(request, street, day)
    if not permissions.can_manage_bulletins(request.user, bulletin.street):
        raise PermissionDenied(_("Only the subdistrict's street admins draft and publish its bulletins."))
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("reports:bulletin", street, day)
    if bulletin.status == Publication.PUBLISHED:
        messages.error(request, _("This bulletin is published and can no longer change."))
        return redirect("reports:bulletin", street, day)
    data = form.cleaned_data
    try:
        bulletin = services.publish_bulletin(bulletin, by=request.user, remarks=data["remarks"],
                                             deadline=data["deadline"],
                                             requirements=data["requirements"] if "requirements" in request.POST
                                             else None)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Published as No. %(number)s.") % {"number": bulletin.number})
    return redirect("reports:bulletin", street, day)


urlpatterns: list[Any] = [
    path("bulletins/", bulletin_list, name="bulletins"),
    path("bulletins/draft/", bulletin_draft, name="bulletin_draft"),
    path("bulletins/<str:street>/<str:day>/", bulletin_detail, name="bulletin"),
    path("bulletins/<str:street>/<str:day>/bulletin.docx", bulletin_docx, name="bulletin_docx"),
    path("bulletins/<str:street>/<str:day>/refresh/", bulletin_refresh, name="bulletin_refresh"),
    path("bulletins/<str:street>/<str:day>/publish/", bulletin_publish, name="bulletin_publish"),
    path("bulletins/<str:street>/<str:day>/photos/<str:sha256>/<str:variant>/", bulletin_photo,
         name="bulletin_photo"),
]
