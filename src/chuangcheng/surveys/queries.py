"""Every read of surveys a page, the API or a report needs, already limited to the reader's region."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse

from chuangcheng.core.site import absolute_url
from chuangcheng.org.models import Region
from chuangcheng.org.permissions import has_role, in_scope
from chuangcheng.org.queries import regions_visible_to, scope_of
from chuangcheng.surveys import permissions
from chuangcheng.surveys.models import Option, Publication, Question, Response, Survey


def surveys_visible_to(user: Any) -> QuerySet[Survey]:
    """Surveys made in the reader's region or above it (a community sees the street's survey), and
    those published somewhere in it. Residents (no account) see none here: they answer by link."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return Survey.objects.none()
    if user.is_superuser:
        return Survey.objects.select_related("region").all()
    scope = scope_of(user)
    if scope is None or not permissions.can_read_surveys(user):
        return Survey.objects.none()
    above = [scope.path[:i] for i in range(len(scope.path), 0, -1) if scope.path[i - 1] == "/"]
    return Survey.objects.select_related("region").filter(
        Q(region__path__startswith=scope.path) | Q(region__path__in=above)
        | Q(publications__region__path__startswith=scope.path)
    ).distinct()


def can_read(user: Any, survey: Survey) -> bool:
    return in_scope(user, survey.region) or surveys_visible_to(user).filter(pk=survey.pk).exists()



def _count(model: Any, field: str, **filters: Any) -> Coalesce:
    rows = (model.objects.filter(**{field: OuterRef("pk")}, **filters).order_by().values(field)
            .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def survey_list(user: Any) -> QuerySet[Survey]:
    """The survey list: with counts of questions, publications and responses (one query)."""
    return surveys_visible_to(user).annotate(
        question_count=_count(Question, "survey"), publication_count=_count(Publication, "survey"),
        response_count=_count(Response, "survey"),
    ).order_by("-created_at", "-id")


def survey_for(user: Any, code: str) -> Survey | None:
    """The survey a page or endpoint names by its code, if the user may read it."""
    return surveys_visible_to(user).filter(code=code).first()


def questions_of(survey: Survey) -> list[Question]:
    """The questions in order with their options and skip-logic condition (three queries)."""
    return list(survey.questions.select_related("show_if_question").prefetch_related(
        Prefetch("options", queryset=Option.objects.order_by("order", "id"))).order_by("order", "id"))


def publications_of(user: Any, survey: Survey) -> list[Publication]:
    """The survey's publications in the reader's area, with their response counts."""
    rows = survey.publications.select_related("region", "region__parent").annotate(
        response_count=_count(Response, "publication"))
    if not getattr(user, "is_superuser", False):
        scope = scope_of(user)
        if scope is None:
            return []
        if not in_scope(user, survey.region):
            rows = rows.filter(region__path__startswith=scope.path)
    return list(rows)


def publication_for(user: Any, survey: Survey, token: str) -> Publication | None:
    return next((p for p in publications_of(user, survey) if p.token == token), None)


def publication_by_token(token: str) -> Publication | None:
    """The publication behind a resident's link (no account: the token is the key)."""
    if not token or len(token) > 32:
        return None
    return Publication.objects.select_related("survey", "survey__region", "region").filter(token=token).first()


def answer_path(publication: Publication) -> str:
    return reverse("survey_answer:answer", args=[publication.token])


def answer_url(publication: Publication, request: HttpRequest | None = None) -> str:
    """The address printed in the QR code: PUBLIC_BASE_URL when set, otherwise the page's own host."""
    return absolute_url(request, answer_path(publication))


def publishable_regions(user: Any, survey: Survey) -> QuerySet[Region]:
    """The communities and grids of the survey's region within the reader's area."""
    return regions_visible_to(user).filter(
        path__startswith=survey.region.path, level__in=permissions.PUBLICATION_LEVELS,
    ).order_by("path")


def has_answered(survey: Survey, device_hash: str) -> bool:
    return bool(device_hash) and Response.objects.filter(survey=survey, device=device_hash).exists()


def visit_publications(user: Any) -> list[Publication]:
    """Open surveys a grid worker may record on household visits: publications covering their grid."""
    if not has_role(user, *permissions.VISITORS):
        return []
    rows = (Publication.objects.select_related("survey", "survey__region", "region")
            .filter(survey__status=Survey.Status.OPEN, survey__allow_visits=True)
            .order_by("-survey__created_at", "region__path"))
    if user.is_superuser:
        return list(rows)
    scope = scope_of(user)
    if scope is None:
        return []
    above = [p for p in _ancestors(scope.path)]
    return list(rows.filter(Q(region__path__startswith=scope.path) | Q(region__path__in=above)))


def visit_grids(user: Any, publication: Publication) -> list[Region]:
    """Where a grid worker may record for this publication: grids of their area under it (or the
    publication's own grid)."""
    rows = regions_visible_to(user).filter(path__startswith=publication.region.path,
                                           level=Region.Level.GRID).order_by("sort_order", "path")
    return [r for r in rows if permissions.can_record_visit(user, publication, r)]


def visits_recorded(user: Any, survey: Survey) -> int:
    return Response.objects.filter(survey=survey, recorded_by=user, mode=Response.Mode.VISIT).count()


def _ancestors(path: str) -> list[str]:
    return [path[:i] for i in range(len(path), 0, -1) if path[i - 1] == "/"]
