"""The map of the demo subdistrict: jittered rectangles that tile the street (communities) and
each community (grids) exactly, so no two regions overlap and every edge is shared to the
micro-degree. Pure functions of a `random.Random`, so one seed draws one map."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

# About 3.4 km × 2.7 km around the centre of 光明路街道 (40.82 N, 111.65 E).
STREET_BOX = (111.630, 40.808, 111.670, 40.832)
COLUMNS = 4
ROWS = 2
GRIDS_PER_COMMUNITY = 5
# Points keep this share of a grid's width and height clear of its edges, so a marker sits
# visibly inside its grid and rounding to six decimals can never push it out.
POINT_MARGIN = 0.12


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    def geojson(self) -> str:
        ring = [[self.west, self.south], [self.east, self.south], [self.east, self.north],
                [self.west, self.north], [self.west, self.south]]
        return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))

    @property
    def width(self) -> float:
        return self.east - self.west

    @property
    def height(self) -> float:
        return self.north - self.south

    def random_point(self, rng: random.Random) -> tuple[float, float]:
        lon = self.west + self.width * rng.uniform(POINT_MARGIN, 1 - POINT_MARGIN)
        lat = self.south + self.height * rng.uniform(POINT_MARGIN, 1 - POINT_MARGIN)
        return round(lon, 6), round(lat, 6)


def _cuts(rng: random.Random, start: float, end: float, parts: int, jitter: float) -> list[float]:
    """`parts + 1` increasing edges from start to end, the inner ones moved by up to ±jitter of a part."""
    step = (end - start) / parts
    inner = [start + step * (k + rng.uniform(-jitter, jitter)) for k in range(1, parts)]
    return [round(start, 6), *(round(x, 6) for x in inner), round(end, 6)]


def community_boxes(rng: random.Random) -> list[Box]:
    """ROWS × COLUMNS communities, north-west first; each row has its own column edges."""
    west, south, east, north = STREET_BOX
    rows = _cuts(rng, south, north, ROWS, 0.15)
    boxes: list[Box] = []
    for r in reversed(range(ROWS)):
        columns = _cuts(rng, west, east, COLUMNS, 0.2)
        for c in range(COLUMNS):
            boxes.append(Box(columns[c], rows[r], columns[c + 1], rows[r + 1]))
    return boxes


def grid_boxes(rng: random.Random, community: Box) -> list[Box]:
    """Five grids: the community is cut across its longer side into a part of two grids and a
    part of three, each part cut the other way."""
    first, second = (2, 3) if rng.random() < 0.5 else (3, 2)
    wide = community.width * 0.77 > community.height  # a degree of longitude is ~0.76 of latitude here
    boxes: list[Box] = []
    if wide:
        xs = _cuts(rng, community.west, community.east, 2, 0.1)
        for i, parts in enumerate((first, second)):
            ys = _cuts(rng, community.south, community.north, parts, 0.15)
            ys = [community.south, *ys[1:-1], community.north]
            for j in reversed(range(parts)):
                boxes.append(Box(xs[i], ys[j], xs[i + 1], ys[j + 1]))
    else:
        ys = _cuts(rng, community.south, community.north, 2, 0.1)
        for i, parts in enumerate((first, second)):
            xs = _cuts(rng, community.west, community.east, parts, 0.15)
            xs = [community.west, *xs[1:-1], community.east]
            row = 1 - i  # north first
            for j in range(parts):
                boxes.append(Box(xs[j], ys[row], xs[j + 1], ys[row + 1]))
    return boxes


def street_box() -> Box:
    west, south, east, north = STREET_BOX
    return Box(round(west, 6), round(south, 6), round(east, 6), round(north, 6))
