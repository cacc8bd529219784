"""A district to load: `streets` subdistricts, each with communities and grids (with boundaries),
points of the shipped catalog's point types, one responsible unit with a group robot (pointed at
the load test's receiver), field workers (inspectors) and office users, each with an API token.

Run inside the topology's settings (bench/load/topology.py `Topology.python`), after migrations:

    from bench.load.seed import seed; print(seed(streets=10, field_per_street=40, ...))

prints JSON: the field workers' tokens with their street's points and checklists, the office users'
tokens, and the receiver URL the robots call."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

LON, LAT = 111.60, 40.80


def _square(lon: float, lat: float, half: float) -> str:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def seed(*, streets: int = 1, communities: int = 3, grids: int = 3, points_per_grid: int = 4,
         field_per_street: int = 4, office_per_street: int = 2, receiver_url: str = "") -> str:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from chuangcheng.notify.models import Webhook
    from chuangcheng.org import services as org_services
    from chuangcheng.org.models import Region, Role, Unit, User
    from chuangcheng.places.models import Point
    from chuangcheng.public.open311 import queries as open311_queries
    from chuangcheng.public.open311.services import issue_key
    from chuangcheng.standards.models import CheckItem
    from chuangcheng.standards.services import load_default_catalog

    version = load_default_catalog()
    items = CheckItem.objects.filter(version=version, point_type__isnull=False).select_related("point_type")
    types = list({item.point_type for item in items})
    types.sort(key=lambda t: t.code)
    password = make_password("load-test-password")
    out: dict[str, Any] = {"field": [], "office": [], "residents": [],
                           "services": [c.code for c in open311_queries.services()][:5]}
    with transaction.atomic():
        district = Region.objects.create(code="LD", name="压测区", level=Region.Level.DISTRICT, path="/LD/")
        for s in range(streets):
            code = f"LD{s:02d}"
            slon = LON + s * 0.1
            street = Region.objects.create(code=code, name=f"压测街道{s + 1}", level=Region.Level.STREET,
                                           parent=district, path=f"{district.path}{code}/",
                                           boundary=_square(slon, LAT, 0.045))
            unit = Unit.objects.create(code=f"{code}-CG", name=f"城管中队{s + 1}", kind="city_management",
                                       region=street)
            if receiver_url:
                Webhook.objects.create(name=f"城管中队{s + 1}工作群", kind="wecom", unit=unit, url=receiver_url)
            _client, open311_key = issue_key(street=street, name=f"压测居民端{s + 1}", by=None)
            out["residents"].append({"street": code, "api_key": open311_key, "lon": slon, "lat": LAT})
            points: list[Point] = []
            for c in range(communities):
                ccode = f"{code}C{c}"
                clon = slon - 0.03 + c * 0.03
                community = Region.objects.create(code=ccode, name=f"社区{s + 1}-{c + 1}", level=Region.Level.COMMUNITY,
                                                  parent=street, path=f"{street.path}{ccode}/",
                                                  boundary=_square(clon, LAT, 0.014))
                for g in range(grids):
                    gcode = f"{ccode}G{g}"
                    glat = LAT - 0.009 + g * 0.009
                    grid = Region.objects.create(code=gcode, name=f"网格{g + 1}", level=Region.Level.GRID,
                                                 parent=community, path=f"{community.path}{gcode}/",
                                                 boundary=_square(clon, glat, 0.0044))
                    for n in range(points_per_grid):
                        point_type = types[(s + c + g + n) % len(types)]
                        points.append(Point.objects.create(
                            code=f"{gcode}P{n}", name=f"{grid.name}点位{n + 1}", point_type=point_type, grid=grid,
                            lon=Decimal(f"{clon - 0.003 + n * 0.002:.6f}"), lat=Decimal(f"{glat:.6f}"),
                            primary_unit=unit))
            for kind, count, role in (("field", field_per_street, Role.INSPECTOR),
                                      ("office", office_per_street, Role.STREET_ADMIN)):
                for n in range(count):
                    user = User.objects.create(username=f"{kind}{s:02d}_{n:03d}", role=role, scope=street,
                                               password=password)
                    _token, key = org_services.create_api_token(user, name="load test")
                    entry: dict[str, Any] = {"username": user.username, "token": key, "street": code}
                    if kind == "field":
                        entry["points"] = [{"code": p.code, "lon": str(p.lon), "lat": str(p.lat),
                                            "type": p.point_type.code} for p in points]
                    out[kind].append(entry)
    return json.dumps(out, ensure_ascii=False)
