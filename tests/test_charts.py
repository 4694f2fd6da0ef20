"""Charts: which exist, that they are stable to the byte, drawn without missing glyphs, cached,
described in the page's language, and honest about conflicting figures and uncertain dates.

Real matplotlib, real data: the whole set is drawn once per language (a few seconds) and
shared by the tests of this module.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
import yaml

from generator import charts, derive, geo
from generator.cache import OutputCache
from generator.drawing import draw_svg, drawn, texts_of
from generator.i18n import CATALOG_DIR
from generator.validate import load_dataset
from generator.write import write_tree

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
ARABIC = re.compile("[\u0600-\u06ff]")
LATIN = re.compile("[A-Za-z]")
OVERVIEW = {"overview:activity", "overview:status", "overview:map"}
MAPS = {charts.NARROW_MAP, charts.LOCATOR}  # the phone layout of the map; the locators' map


def dataset_of(path: Path):
    dataset, problems = load_dataset(path)
    assert dataset is not None, problems
    return dataset


@pytest.fixture(scope="module")
def real():
    return dataset_of(FIXTURES / "record-2025")  # a frozen record: its facts are asserted


@pytest.fixture(scope="module")
def mini():
    return dataset_of(FIXTURES / "mini")


FRESH_PROCESS = """
import sys
from pathlib import Path
from generator.cache import OutputCache
from generator.charts import render_charts
from generator.validate import load_dataset
from generator.write import write_tree
dataset, _ = load_dataset(Path("tests/fixtures/record-2025"))
write_tree(Path(sys.argv[1]), render_charts(dataset, OutputCache(None))[1])
"""


@pytest.fixture(scope="module")
def rendered(real, tmp_path_factory):
    """Every chart of the real data in both languages, drawn once here with the warnings seen,
    and meanwhile once more by a fresh process (its files in "fresh")."""
    out, cache, fresh = (tmp_path_factory.mktemp(name) for name in ("out", "cache", "fresh"))
    other = subprocess.Popen([sys.executable, "-c", FRESH_PROCESS, str(fresh)], cwd=ROOT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result, files = charts.render_charts(real, OutputCache(cache))
        write_tree(out, files)
    assert other.wait(timeout=120) == 0
    return {
        "out": out,
        "cache": cache,
        "fresh": fresh,
        "charts": result,
        "warnings": list(caught),
    }


def spec(plan: charts.PlannedChart) -> str:
    """All a chart's drawing depends on besides the code: what the cache keys it by."""
    return json.dumps([plan.kind, plan.spec], sort_keys=True)


def plan_of(dataset, lang: str, key: str) -> charts.PlannedChart:
    return next(p for p in charts.plan_charts(dataset, lang) if p.chart.key == key)


# -- which charts exist ---------------------------------------------------------------------------


def test_every_base_and_the_overview_get_their_charts_in_both_languages(real, rendered):
    for lang in ("en", "ar"):
        made = rendered["charts"][lang]
        expected = OVERVIEW | MAPS
        for base_id in real.bases:
            events = charts.occurred(real.events_of_base(base_id))
            assert events, f"{base_id} has no event: the real data should give every base a chart"
            expected.add(f"base:{base_id}:activity")
            if any(e.figures for e in events):
                expected.add(f"base:{base_id}:figures")
        assert set(made) == expected
        for key, chart in made.items():
            assert chart.lang == lang
            assert chart.path == f"charts/{lang}/{key.replace(':', '-')}.svg"
            assert chart.path.isascii()
            svg = (rendered["out"] / chart.path).read_bytes()
            assert svg.startswith(b"<?xml") and b"<svg" in svg
            assert chart.title and chart.alt
            assert len(chart.table) > 1 or key == charts.LOCATOR  # a background, no numbers


def test_a_base_without_figures_gets_no_figures_chart(rendered):
    made = rendered["charts"]["en"]
    assert "base:qasrak:figures" in made
    assert "base:al-sin:activity" in made and "base:al-sin:figures" not in made


# -- stable bytes, fonts ----------------------------------------------------------------------------


def test_drawing_emits_no_missing_glyph_warning(rendered, mini):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for lang in ("en", "ar"):  # a range of conflicting figures, a short time axis
            draw_svg(plan_of(mini, lang, "base:qasrak:figures"))
    messages = [str(w.message) for w in rendered["warnings"] + caught]
    assert not [m for m in messages if "Glyph" in m or "missing from" in m], messages


def test_a_second_render_and_a_fresh_process_give_identical_bytes(real, rendered):
    out, fresh = rendered["out"], rendered["fresh"]
    for key in ("overview:status", "base:qasrak:figures"):
        for lang in ("en", "ar"):
            plan = plan_of(real, lang, key)
            assert draw_svg(plan) == (out / plan.chart.path).read_bytes()
    files = sorted(p.relative_to(out) for p in out.rglob("*.svg"))
    assert files == sorted(p.relative_to(fresh) for p in fresh.rglob("*.svg"))
    for rel in files:
        assert (fresh / rel).read_bytes() == (out / rel).read_bytes(), rel


def test_svg_has_no_date_and_no_live_text(rendered):
    svg = (rendered["out"] / "charts/ar/overview-map.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg
    assert "<text" not in svg  # glyphs are paths: WeasyPrint would reverse Arabic <text>


# -- cache --------------------------------------------------------------------------------------------


def test_the_cache_serves_unchanged_charts_without_drawing(real, rendered):
    path = "charts/en/overview-map.svg"
    drawn = (rendered["out"] / path).read_bytes()
    cached = next(p for p in (rendered["cache"] / "charts").iterdir() if p.read_bytes() == drawn)
    try:
        cached.write_bytes(drawn.replace(b"</svg>", b"<!-- served from cache --></svg>"))
        _, files = charts.render_charts(real, OutputCache(rendered["cache"]))
        assert b"<!-- served from cache -->" in files[path]
    finally:
        cached.write_bytes(drawn)


def test_cached_outputs_no_build_used_for_two_weeks_are_forgotten(real, tmp_path):
    cache = OutputCache(tmp_path / "cache")
    charts.render_charts(real, cache)
    used = sorted((tmp_path / "cache" / "charts").iterdir())
    stale = tmp_path / "cache" / "charts" / "0123456789abcdef"  # of data since changed
    stale.write_bytes(b"<svg/>")
    weeks_ago = time.time() - 15 * 24 * 3600
    for path in [stale, *used]:
        os.utime(path, (weeks_ago, weeks_ago))
    charts.render_charts(real, cache)  # uses them again
    assert cache.prune(["charts"]) == [stale]
    assert sorted((tmp_path / "cache" / "charts").iterdir()) == used


def test_a_change_in_one_base_redraws_only_the_charts_that_show_it(real):
    qasrak = real.bases["qasrak"]
    renamed = dataclasses.replace(
        qasrak, name=dataclasses.replace(qasrak.name, en="Qasrak airbase")
    )
    changed = dataclasses.replace(real, bases={**real.bases, "qasrak": renamed})
    before = {p.path: spec(p) for p in charts.plan_charts(real, "en")}
    after = {p.path: spec(p) for p in charts.plan_charts(changed, "en")}
    redrawn = {path for path in before if before[path] != after[path]}
    shown = ("base:qasrak:activity", "base:qasrak:figures", "overview:status")
    assert redrawn == {
        *(charts.chart_path(key, "en", narrow) for key in shown for narrow in (False, True)),
        charts.chart_path("overview:map", "en"),
        charts.chart_path(charts.NARROW_MAP, "en"),
    }
    arabic = [spec(p) for p in charts.plan_charts(real, "ar")]
    assert arabic == [spec(p) for p in charts.plan_charts(changed, "ar")]


# -- language -----------------------------------------------------------------------------------------


def test_arabic_titles_alt_texts_and_tables_are_in_arabic(rendered):
    for chart in rendered["charts"]["ar"].values():
        for text in (chart.title, chart.alt, *(chart.table[0] if chart.table else ())):
            assert ARABIC.search(text), (chart.key, text)
            assert not LATIN.search(text), (chart.key, text)
    overview = rendered["charts"]["ar"]["overview:activity"]
    assert "تشرين الثاني 2025" in overview.alt  # Levantine month names (ar_SY)
    assert "نوفمبر" not in overview.alt
    assert any(row[0] == "تشرين الثاني 2025" for row in overview.table)


def test_english_alt_texts_state_the_main_finding(rendered):
    made = rendered["charts"]["en"]
    assert "Busiest month: November 2025 (16 events)" in made["overview:activity"].alt
    assert not ARABIC.search(made["overview:activity"].alt)
    status = made["overview:status"].alt
    assert (
        "Qasrak base: Expanding from about June 2025, Being evacuated from 21 February 2026"
        in status
    )
    assert "Handed over by 21 February 2026" in status
    assert "Being evacuated: Qasrak base" in made["overview:map"].alt


def test_chart_strings_exist_in_both_languages_with_the_chart_prefix():
    keys = {}
    for lang in ("en", "ar"):
        strings = yaml.safe_load((CATALOG_DIR / f"charts.{lang}.yaml").read_text(encoding="utf-8"))
        assert all(key.startswith("chart.") for key in strings), lang
        keys[lang] = set(strings)
    assert keys["en"] == keys["ar"]


# -- honest figures and dates ---------------------------------------------------------------------------


def test_a_conflicting_claim_is_drawn_as_a_range_not_one_number(mini):
    for lang in ("en", "ar"):
        plan = plan_of(mini, lang, "base:qasrak:figures")
        [point] = plan.spec["panels"][0]["points"]
        assert (point["low"], point["high"]) == (25, 100)
        assert sorted(c[0] for c in point["claims"]) == [25, 100]
        assert "range" in plan.spec["legend"]
        _header, *rows = plan.chart.table
        assert [row[2] for row in rows] == [point["label"]]  # each end keeps its qualifier
    assert (
        plan_of(mini, "en", "base:qasrak:figures").spec["panels"][0]["points"][0]["label"]
        == "about 25–100"
    )
    arabic = plan_of(mini, "ar", "base:qasrak:figures").spec["panels"][0]["points"][0]
    assert arabic["label"] == "نحو 25–100"
    english = plan_of(mini, "en", "base:qasrak:figures").chart
    assert "about 25" in english.table[1][3] and "about 100" in english.table[1][3]
    assert "lowest and the highest" in english.alt


def test_a_single_claim_is_a_point_that_keeps_its_qualifier(real):
    plan = plan_of(real, "en", "base:qasrak:figures")
    trucks = next(p for p in plan.spec["panels"] if p["label"] == "Trucks")["points"]
    assert [(p["low"], p["high"], p["label"]) for p in trucks] == [
        (25, 25, "about 25"),
        (20, 20, "more than 20"),
    ]
    assert trucks[1]["claims"] == [[20, 20, "up"]]  # drawn as an upward triangle
    assert "range" not in plan.spec["legend"]


def test_uncertain_dates_are_spans_or_arrows_never_a_precise_day(real):
    cutoff = derive.information_cutoff(real).toordinal()
    plan = plan_of(real, "en", "base:qasrak:figures")
    points = {p["label"]: p for panel in plan.spec["panels"] for p in panel["points"]}
    convoy = points["about 25"]  # 12 November 2025, a known day
    assert convoy["exact"] and convoy["x0"] == convoy["x1"] == convoy["x"]
    evacuation = points["more than 20"]  # about 21 February 2026
    assert (
        not evacuation["exact"] and evacuation["x0"] < evacuation["x"] <= evacuation["x1"] <= cutoff
    )
    aircraft = points["3"]  # 1 to 13 November 2025
    assert not aircraft["exact"] and aircraft["x1"] - aircraft["x0"] == 12


def test_month_bins_count_uncertain_months_apart(real, mini):
    activity = plan_of(mini, "en", "base:qasrak:activity").spec
    expansion = next(s for s in activity["series"] if s["label"] == "Expansion")
    assert expansion["certain"][0] == 1 and expansion["uncertain"][0] == 0  # month known, day not
    overview = plan_of(real, "en", "overview:activity").spec
    june = [s["uncertain"][0] for s in overview["series"]]
    assert sum(june) == 2  # both June 2025 events are "about June"
    assert overview["uncertain_label"] == "Month uncertain"


def test_status_timeline_reaches_the_information_cutoff(real):
    plan = plan_of(real, "en", "overview:status")
    cutoff = plan.spec["cutoff"]
    rows = {row["label"]: row for row in plan.spec["rows"]}
    assert len(rows) == len(real.bases)
    for row in rows.values():
        ends = [s["x1"] for s in row["segments"]] + [d["x"] for d in row["dots"]]
        assert max(ends) == cutoff
    qasrak = rows["Qasrak base"]
    assert qasrak["dots"] == [
        {"x": cutoff, "color": real.taxonomy.statuses["evacuating"].color, "exact": True}
    ]
    assert qasrak["segments"][0].get("hatch")  # "about June 2025": the start is a hatched zone
    tanf = rows["Al-Tanf garrison"]  # handed over "on or before" the cutoff: a hatched transition
    assert any(
        s.get("hatch") == real.taxonomy.statuses["handed_over"].color for s in tanf["segments"]
    )


# -- map ----------------------------------------------------------------------------------------------------


def test_map_marks_every_base_with_its_status_and_location_precision(real):
    plan = plan_of(real, "ar", "overview:map")
    bases = {b["label"]: b for b in plan.spec["bases"]}
    assert len(bases) == len(real.bases)
    assert bases["قاعدة قسرك"]["color"] == real.taxonomy.statuses["evacuating"].color
    assert bases["معسكر الطلائع"]["precision"] == "area"
    assert set(plan.spec["precision"]) == {"approximate", "area"}
    assert len(plan.spec["capitals"]) == len(real.taxonomy.governorates)


def test_geometry_is_small_documented_and_covers_syria():
    assert geo.GEO_FILE.stat().st_size < 300_000
    readme = (geo.GEO_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "Natural Earth" in readme and "public domain" in readme
    regions = {r.id: r for r in geo.load_regions()}
    assert {"syr", "tur", "irq", "jor", "lbn", "golan"} <= set(regions)
    xs = [x for polygon in regions["syr"].polygons for x, _ in polygon[0]]
    assert min(xs) < 36 and max(xs) > 42
    json.loads(geo.GEO_FILE.read_text(encoding="utf-8"))


def test_labels_are_placed_without_overlap_when_there_is_room():
    requests = [geo.LabelRequest(100, 100, 60, 12, 4), geo.LabelRequest(110, 100, 60, 12, 4)]
    first, second = geo.place_labels(requests, [], (0, 0, 400, 400), side=-1)
    assert first.clear and second.clear
    assert first.box[2] <= 100  # Arabic labels go left of their point first
    assert geo.overlap(first.box, second.box) == 0


# -- what charts.py lays out itself ---------------------------------------------------------


def test_legend_entries_read_row_by_row_in_the_page_direction(real):
    for lang, reading in (("en", 1), ("ar", -1)):
        plan = plan_of(real, lang, "base:qasrak:activity")
        labels = [series["label"] for series in plan.spec["series"]]
        assert len(labels) >= 4, "two rows of three entries are needed to tell rows apart"
        with drawn(plan) as fig:
            at = {label.get_text(): label.xy for label in texts_of(fig).labels}
        first, second, third, fourth = (at[label] for label in labels[:4])
        assert first[1] == second[1] == third[1] > fourth[1], "a row, then the next below it"
        assert reading * first[0] < reading * second[0] < reading * third[0], lang
        assert fourth[0] == first[0], "each row starts on the reading side"


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """A synthetic record whose charts span the full 24 months: names must be wrapped or
    thinned to fit."""
    from tests.test_synth import load_synth

    data = tmp_path_factory.mktemp("two-years") / "data"
    load_synth().synthesize(data, events=300, bases=2, years=3, seed=7)
    return dataset_of(data)


def test_month_names_under_a_time_axis_never_touch(real, two_years):
    keys = [(real, "base:qasrak:activity"), (two_years, "overview:status")]
    base = next(iter(two_years.bases))
    keys += [(two_years, f"base:{base}:activity"), (two_years, f"base:{base}:figures")]
    for dataset, key in keys:
        for lang in ("en", "ar"):
            plan = plan_of(dataset, lang, key)
            names = plan.spec["months"] if "months" in plan.spec else plan.spec["axis"]["labels"]
            spellings = {*names, *(name.replace(" ", "\n", 1) for name in names)}
            with drawn(plan) as fig:
                boxes = sorted(
                    (t.get_window_extent() for t in texts_of(fig).labels if t.text in spellings),
                    key=lambda box: box.x0,
                )
            assert len(boxes) >= 2, (key, lang)
            assert all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:])), (key, lang)


def test_value_labels_never_print_over_one_another(real):
    """Figures reported a few days apart (Qasrak's trucks, in data/) would put their labels
    over one another: a label that would is left out, and its figure stays in the table."""
    live = dataset_of(FIXTURES.parent.parent / "data")
    for dataset, lang in itertools.product((real, live), ("en", "ar")):
        for plan in charts.plan_charts(dataset, lang):
            if plan.kind != "figures" or plan.narrow:
                continue
            values = {p["label"] for panel in plan.spec["panels"] for p in panel["points"]}
            with drawn(plan) as fig:
                boxes = [
                    label.get_window_extent()
                    for label in texts_of(fig).labels
                    if label.va == "bottom" and label.text in values
                ]
            assert boxes, (lang, plan.chart.key)
            touching = [
                (a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)
            ]
            assert touching == [], (lang, plan.chart.key)


# -- maps you can use -----------------------------------------------------------------------------


def test_each_pin_is_where_the_map_draws_its_base(real):
    """Pages put a base's link or marker at its pin, computed without drawing: it must fall
    on the drawn marker, in every layout and language."""
    for lang in ("en", "ar"):
        for key in ("overview:map", charts.NARROW_MAP, charts.LOCATOR):
            plan = plan_of(real, lang, key)
            located = [b for b in real.bases.values() if b.location and b.country == "SY"]
            assert [p.base_id for p in plan.chart.pins] == [b.id for b in located]
            with drawn(plan) as fig:
                ax = fig.axes[0]
                ax.apply_aspect()
                width, height = fig.bbox.width, fig.bbox.height
                for pin, base in zip(plan.chart.pins, located):
                    x, y = ax.transData.transform((base.location.lon, base.location.lat))
                    assert abs(100 * x / width - pin.x) < 0.1, (lang, key, pin)
                    assert abs(100 * (1 - y / height) - pin.y) < 0.1, (lang, key, pin)


def test_map_statuses_differ_in_shape(real):
    """A status reads without telling colours apart: no two statuses share a shape."""
    statuses = plan_of(real, "en", "overview:map").spec["statuses"]
    shapes = [shape for _label, _color, shape in statuses]
    assert len(set(shapes)) == len(shapes) > 1


def test_the_map_legend_fits_its_figure_in_every_layout_and_language(real):
    for lang in ("en", "ar"):
        for key in ("overview:map", charts.NARROW_MAP):
            with drawn(plan_of(real, lang, key)) as fig:
                box = fig.legends[0].get_window_extent(fig.canvas.get_renderer())
                assert box.y0 >= 0 and box.x0 >= 0 and box.x1 <= fig.bbox.width, (lang, key)
