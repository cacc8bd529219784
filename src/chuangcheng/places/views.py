from __future__ import annotations

import json
import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangcheng.core.forms import apply_validation_error
from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import paginate
from chuangcheng.org import permissions
from chuangcheng.org import queries as org_queries
from chuangcheng.places import qr, queries, services
from chuangcheng.places.forms import PhotoForm, PointForm
from chuangcheng.places.models import Point
from chuangcheng.standards.models import PointType


def _filter_from(request: HttpRequest) -> queries.PointFilter:
    zero = request.GET.get("zero_loss", "")
    return queries.PointFilter(
        q=request.GET.get("q", "").strip()[:100],
        point_type=request.GET.get("type", ""),
        region=request.GET.get("region", ""),
        zero_loss=True if zero == "1" else None,
        active=request.GET.get("inactive") != "1",
    )


def _filter_choices(request: HttpRequest) -> dict[str, object]:
    return {
        "types": PointType.objects.all(),
        "communities": org_queries.communities_visible_to(request.user),
        "grids": org_queries.grids_visible_to(request.user),
    }


def point_list(request: HttpRequest) -> HttpResponse:
    flt = _filter_from(request)
    points = queries.filter_points(request.user, flt)
    return render(
        request,
        "places/point_list.html",
        {
            "page": paginate(request, points),
            "flt": flt,
            **_filter_choices(request),
            "can_add": permissions.has_role(request.user, *permissions.ADMIN_ROLES),
        },
    )


def point_map(request: HttpRequest) -> HttpResponse:
    flt = _filter_from(request)
    points = queries.filter_points(request.user, flt)
    features = [
        {
            "code": p.code,
            "name": p.name,
            "type": p.point_type.name,
            "lon": float(p.lon),
            "lat": float(p.lat),
            "zero_loss": p.zero_loss,
        }
        for p in points[:2000]
    ]
    grids = [
        {"code": g.code, "name": g.name, "boundary": json.loads(g.boundary)}
        for g in org_queries.grids_visible_to(request.user).exclude(boundary="").select_related(None)
        .only("code", "name", "boundary")
    ]
    return render(
        request,
        "places/point_map.html",
        {
            "page": paginate(request, points, per_page=100),
            "map_data": {"points": features, "grids": grids},
            "flt": flt,
            **_filter_choices(request),
        },
    )


def point_detail(request: HttpRequest, code: str) -> HttpResponse:
    point = or_404(queries.point_for(request.user, code))
    from chuangcheng.standards.queries import checklist_for

    return render(
        request,
        "places/point_detail.html",
        {
            "point": point,
            "checklist": checklist_for(point.point_type),
            "can_edit": permissions.can_edit_point(request.user, point.grid),
            "show_phone": permissions.can_see_phone_numbers(request.user),
            "photo_form": PhotoForm(),
            "map_data": {
                "points": [{"code": point.code, "name": point.name, "type": point.point_type.name,
                            "lon": float(point.lon), "lat": float(point.lat), "zero_loss": point.zero_loss}],
                "grids": [{"code": point.grid.code, "name": point.grid.name,
                           "boundary": json.loads(point.grid.boundary)}] if point.grid.boundary else [],
            },
        },
    )


def point_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    point: Point | None = None
    if code is not None:
        point = or_404(queries.point_for(request.user, code))
        if not permissions.can_edit_point(request.user, point.grid):
            raise PermissionDenied(_("You may only change points inside your own scope."))
    elif not permissions.has_role(request.user, *permissions.ADMIN_ROLES):
        raise PermissionDenied(_("Only the street office and community admins add points."))
    form = PointForm(request.POST or None, instance=point, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        point_code = point.code if point else data.pop("code")
        data.pop("code", None)
        try:
            saved, changed = services.save_point(by=request.user, code=point_code, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if changed:
                messages.success(request, _("Point %(code)s saved.") % {"code": saved.code})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("places:detail", code=saved.code)
    return render(request, "places/point_form.html", {"form": form, "point": point})


@require_POST
def point_photo_upload(request: HttpRequest, code: str) -> HttpResponse:
    point = or_404(queries.point_for(request.user, code))
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo to upload."))
        return redirect("places:detail", code=code)
    upload = form.cleaned_data["photo"]
    try:
        services.add_point_photo(point, by=request.user, data=upload.read(), filename=upload.name,
                                 caption=form.cleaned_data["caption"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Photo added."))
    return redirect("places:detail", code=code)


def point_photo(request: HttpRequest, code: str, sha256: str, thumbnail: bool = False) -> FileResponse:
    """A point's photo, to people who may see the point: uploads are not public files. The
    thumbnail (320 px, made on first request, kept beside it) is for the point's page; the photo
    itself stays as sent."""
    point = queries.point_for(request.user, code)
    photo = or_404(point.photos.filter(sha256=sha256).first() if point is not None else None)
    if thumbnail:
        response = FileResponse(default_storage.open(services.point_photo_thumbnail(photo), "rb"),
                                content_type="image/jpeg")
    else:
        response = FileResponse(photo.image.open("rb"), content_type=mimetypes.guess_type(photo.image.name or "")[0])
    # The bytes behind the URL (the photo's SHA-256) never change: a year, in the viewer's cache only.
    response["Cache-Control"] = "private, max-age=31536000"
    return response


def point_qr_sheet(request: HttpRequest, code: str) -> HttpResponse:
    point = or_404(queries.point_for(request.user, code))
    return render(request, "places/point_qr.html", {"point": point, "url": qr.point_url(request, point.code)})


def point_qr_image(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    point = or_404(queries.point_for(request.user, code))
    body = qr.render_qr(qr.point_url(request, point.code), fmt)
    response = HttpResponse(body, content_type="image/svg+xml" if fmt == "svg" else "image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{point.code}.{fmt}"'
    return response
