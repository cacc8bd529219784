from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema

from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import paginate_rows, schema_rows
from chuangcheng.places import queries
from chuangcheng.places.models import Point

router = Router(tags=["points"])


class PointOut(Schema):
    code: str
    name: str
    type: str = Field(alias="point_type.code")
    type_name: str = Field(alias="point_type.name")
    community: str | None = Field(alias="grid.parent.code")
    grid: str = Field(alias="grid.code")
    lon: Decimal
    lat: Decimal
    address: str
    primary_unit: str = Field(alias="primary_unit.code")
    zero_loss: bool
    active: bool


class PointDetailOut(PointOut):
    cooperating_units: list[str]
    responsible_people: list[str]

    @staticmethod
    def resolve_cooperating_units(obj: Point) -> list[str]:
        return [u.code for u in obj.cooperating_units.all()]

    @staticmethod
    def resolve_responsible_people(obj: Point) -> list[str]:
        return [p.code for p in obj.responsible_people.all()]


@router.get("", response=list[PointOut], operation_id="listPoints")
@paginate_rows(schema_rows(PointOut))
def list_points(
    request: HttpRequest, q: str = "", type: str = "", region: str = "", zero_loss: bool | None = None
) -> QuerySet[Point]:
    """Points in the caller's scope, filtered by text, type code, community or grid code, zero-loss."""
    flt = queries.PointFilter(q=q[:100], point_type=type, region=region, zero_loss=zero_loss)
    return queries.filter_points(request.user, flt)


@router.get("/{code}", response=PointDetailOut, operation_id="getPoint")
def get_point(request: HttpRequest, code: str) -> Point:
    return or_404(queries.point_for(request.user, code))
