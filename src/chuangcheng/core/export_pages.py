"""/exports/: a background export's page (its progress, then its download link), the progress as
JSON for the page's script, and the download. Each answers its owner only: another person's
export, or one past its day, is a 404."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from chuangcheng.core import exports
from chuangcheng.core.models import ExportJob

app_name = "exports"


def _job(request: HttpRequest, token: str) -> ExportJob:
    job = exports.job_for(request.user, token[:32])
    if job is None:
        raise Http404
    return job


def state_of(job: ExportJob) -> dict[str, object]:
    done = job.state == ExportJob.State.DONE
    return {"state": job.state, "label": job.get_state_display(), "done": job.done, "total": job.total,
            "percent": job.percent, "error": job.state == ExportJob.State.FAILED,
            "download": reverse("exports:download", args=[job.token]) if done else ""}


def page(request: HttpRequest, token: str) -> HttpResponse:
    job = _job(request, token)
    return render(request, "core/export.html", {"job": job, "status": state_of(job),
                                                "others": [j for j in exports.recent_for(request.user)
                                                           if j.pk != job.pk]})


def status(request: HttpRequest, token: str) -> JsonResponse:
    response = JsonResponse(state_of(_job(request, token)))
    response["Cache-Control"] = "no-store"
    return response


def download(request: HttpRequest, token: str) -> HttpResponse | FileResponse:
    job = _job(request, token)
    if job.state != ExportJob.State.DONE:
        return redirect("exports:page", token=job.token)
    response = FileResponse(exports.open_file(job), as_attachment=True, filename=job.filename,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("<str:token>/", page, name="page"),
    path("<str:token>/status.json", status, name="status"),
    path("<str:token>/download", download, name="download"),
]
