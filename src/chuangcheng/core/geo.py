"""Coordinates. We store WGS-84 (≈ CGCS2000) longitude/latitude; GCJ-02 exists only at display
time for AMap/Tencent tiles. Boundaries are GeoJSON polygons tested with shapely."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

# A generous box around mainland China, Hainan and the islands: coarse, but it catches swapped
# latitude/longitude, signs lost in a spreadsheet and fixes from a phone that is somewhere else.
CHINA_LON = (73.0, 135.5)
CHINA_LAT = (3.5, 53.6)


def in_china(lon: float, lat: float) -> bool:
    return CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]


def validate_in_china(lon: float | Decimal, lat: float | Decimal) -> None:
    if not in_china(float(lon), float(lat)):
        raise ValidationError(
            _("The location %(lon)s, %(lat)s is outside China (longitude 73–135.5, latitude 3.5–53.6)."),
            code="outside_china",
            params={"lon": lon, "lat": lat},
        )


def parse_boundary(value: Any) -> BaseGeometry:
    """A GeoJSON Polygon or MultiPolygon (geometry, Feature or its JSON text) as a valid shape."""
    data = json.loads(value) if isinstance(value, str) else value
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."), code="bad_boundary")
    try:
        geometry = shape(data)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValidationError(_("The boundary is not valid GeoJSON."), code="bad_boundary") from exc
    if geometry.is_empty or not geometry.is_valid:
        raise ValidationError(
            _("The boundary polygon is empty or crosses itself."), code="bad_boundary"
        )
    minx, miny, maxx, maxy = geometry.bounds
    if not (in_china(minx, miny) and in_china(maxx, maxy)):
        raise ValidationError(_("The boundary lies outside China."), code="bad_boundary")
    return geometry


@lru_cache(maxsize=1024)
def _cached_shape(text: str) -> BaseGeometry:
    return parse_boundary(text)


def contains(boundary_json: str, lon: float, lat: float) -> bool:
    """Whether the GeoJSON boundary contains the point (edges count as inside)."""
    return bool(_cached_shape(boundary_json).covers(ShapelyPoint(lon, lat)))


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine), good to a metre at a subdistrict's scale."""
    radius = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


# GCJ-02 ("Mars coordinates") is an obfuscated datum required for AMap/Tencent tiles. The
# transform is the widely published public formula on the Krasovsky ellipsoid.
_A = 6378245.0
_EE = 0.00669342162296594323


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if not in_china(lon, lat):
        return lon, lat
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat
