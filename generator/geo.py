"""Geometry for the locator map: the committed outlines of Syria and its neighbours, the map
window and its projection, and a label placer. Pure Python, no matplotlib: charts draws.

The outlines are Natural Earth (public domain), cut to the map window and simplified once by
data/geo/extract_levant.py; data/geo/README.md says where they come from.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GEO_FILE = Path(__file__).parent.parent / "data" / "geo" / "levant.geojson"

Ring = tuple[tuple[float, float], ...]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class MapWindow:
    """The part of the world the locator map shows, in degrees."""

    lon_min: float = 35.0
    lon_max: float = 42.9
    lat_min: float = 32.0
    lat_max: float = 37.75

    @property
    def aspect(self) -> float:
        """Plate carrée stretched so that a degree of longitude and of latitude keep their
        ground length at mid-window: close enough to a conformal projection at this size."""
        return 1 / math.cos(math.radians((self.lat_min + self.lat_max) / 2))

    @property
    def width_over_height(self) -> float:
        return (self.lon_max - self.lon_min) / ((self.lat_max - self.lat_min) * self.aspect)


SYRIA_WINDOW = MapWindow()


@dataclass(frozen=True)
class MapFrame:
    """A map's figure, in inches: a title band, the map at the window's aspect, a legend band.
    Pure, so that pages can put links over the drawn markers without drawing (`fraction`)."""

    width: float
    margin: float = 0.0
    title: float = 0.0
    legend: float = 0.0
    window: MapWindow = SYRIA_WINDOW

    @property
    def map_width(self) -> float:
        return self.width - 2 * self.margin

    @property
    def map_height(self) -> float:
        return self.map_width / self.window.width_over_height

    @property
    def height(self) -> float:
        return self.title + self.map_height + self.legend

    def fraction(self, lon: float, lat: float) -> tuple[float, float]:
        """Where a point falls on the figure, as fractions of its width from the left and of
        its height from the top (as CSS places things)."""
        w = self.window
        x = self.margin + (lon - w.lon_min) / (w.lon_max - w.lon_min) * self.map_width
        y = self.title + (w.lat_max - lat) / (w.lat_max - w.lat_min) * self.map_height
        return x / self.width, y / self.height


@dataclass(frozen=True)
class Region:
    """A country (or the Golan) cut to the map window: outer rings and holes as polygons."""

    id: str
    kind: str  # "syria", "neighbour" or "occupied"
    names: dict[str, str]
    polygons: tuple[tuple[Ring, ...], ...]  # each polygon: exterior ring, then holes
    label_at: tuple[float, float] | None = None


@cache
def load_regions(path: Path = GEO_FILE) -> tuple[Region, ...]:
    collection = json.loads(path.read_text(encoding="utf-8"))
    regions = []
    for feature in collection["features"]:
        props, geometry = feature["properties"], feature["geometry"]
        parts = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            parts = [parts]
        polygons = tuple(
            tuple(tuple((x, y) for x, y in ring) for ring in polygon) for polygon in parts
        )
        label = (props["label_lon"], props["label_lat"]) if "label_lon" in props else None
        regions.append(
            Region(
                props["id"],
                props["kind"],
                {"en": props["name_en"], "ar": props["name_ar"]},
                polygons,
                label,
            )
        )
    return tuple(regions)


# -- labels ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelRequest:
    """A label of size (width, height) to put next to a point of radius `radius` (display units)."""

    x: float
    y: float
    width: float
    height: float
    radius: float


@dataclass(frozen=True)
class Placement:
    box: Box
    leader: bool  # placed away from its point: draw a line back to it
    clear: bool  # overlaps no other label or obstacle


# Directions tried in order: beside, above and below, then the diagonals. `side` is +1 when
# labels should rather go right of their point (left-to-right text), -1 for left.
def _directions(side: int) -> list[tuple[float, float]]:
    return [(side, 0), (-side, 0), (0, 1), (0, -1), (side, 1), (side, -1), (-side, 1), (-side, -1)]


def _candidate(req: LabelRequest, direction: tuple[float, float], distance: float) -> Box:
    dx, dy = direction
    gap = req.radius + distance
    cx = req.x + dx * (gap + req.width / 2)
    cy = req.y + dy * (gap + req.height / 2)
    return (cx - req.width / 2, cy - req.height / 2, cx + req.width / 2, cy + req.height / 2)


def overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _inside(a: Box, bounds: Box) -> bool:
    return a[0] >= bounds[0] and a[1] >= bounds[1] and a[2] <= bounds[2] and a[3] <= bounds[3]


def place_labels(
    requests: Sequence[LabelRequest],
    obstacles: Sequence[Box],
    bounds: Box,
    side: int = 1,
    step: float = 4.0,
    rings: int = 6,
) -> list[Placement]:
    """Greedy placement, in priority order: each label takes the first candidate position
    that stays in `bounds` and overlaps neither earlier labels nor `obstacles` (markers);
    when none is free, the one that overlaps least. Deterministic for given inputs."""
    placed: list[Box] = []
    result = []
    for req in requests:
        best: tuple[float, Box, bool] | None = None
        for ring in range(rings):
            distance = step * (0.5 + 2.5 * ring)
            for direction in _directions(side):
                box = _candidate(req, direction, distance)
                if not _inside(box, bounds):
                    continue
                cost = sum(overlap(box, other) for other in (*placed, *obstacles))
                if best is None or cost < best[0]:
                    best = (cost, box, ring > 0)
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        if best is None:  # no candidate fits the bounds: keep it beside its point
            best = (math.inf, _candidate(req, (side, 0), step / 2), False)
        placed.append(best[1])
        result.append(Placement(best[1], best[2], best[0] == 0))
    return result
