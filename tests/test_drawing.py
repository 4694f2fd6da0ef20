"""Drawing planned charts (generator/drawing.py) through its public functions: every chart of
the real data and of the mini fixture draws with every glyph, to the same bytes whatever the
order and in a fresh process, as SVG with no date and no live text; and the module uses only
matplotlib's public API, so that the weekly dependency update cannot break it unannounced.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
import tokenize
import warnings
from pathlib import Path

import pytest

from generator import drawing
from generator.charts import plan_charts
from generator.drawing import draw_svg
from generator.validate import load_dataset

ROOT = Path(__file__).parent.parent
DATASETS = {"real": ROOT / "data", "mini": ROOT / "tests" / "fixtures" / "mini"}


def plans_of(name: str) -> list:
    dataset, problems = load_dataset(DATASETS[name])
    assert dataset is not None, problems
    return plan_charts(dataset, "en") + plan_charts(dataset, "ar")


@pytest.fixture(scope="module")
def plans() -> dict[str, list]:
    return {name: plans_of(name) for name in DATASETS}


def label(plan) -> str:
    """A drawing's name in these tests: its chart's key, and "narrow" for a phone's."""
    return plan.chart.key + (" narrow" if plan.narrow else "")


@pytest.fixture(scope="module")
def drawn_once(plans) -> dict[tuple[str, str, str], bytes]:
    """Every chart of both datasets drawn in plan order, any warning (a missing glyph is one)
    raised as an error."""
    svgs = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, planned in plans.items():
            for plan in planned:
                svgs[name, plan.chart.lang, label(plan)] = draw_svg(plan)
    return svgs


def test_every_chart_draws_without_a_warning(plans, drawn_once):
    kinds = {plan.kind for planned in plans.values() for plan in planned}
    assert kinds == {"activity", "figures", "status", "map", "locator"}
    assert len(drawn_once) == sum(len(planned) for planned in plans.values())


def test_a_chart_has_the_same_bytes_drawn_again_in_another_order(plans, drawn_once):
    # Arabic before English and the map first: nothing one chart leaves behind may reach the next
    for plan in reversed(plans["mini"]):
        key = ("mini", plan.chart.lang, label(plan))
        assert draw_svg(plan) == drawn_once[key], key


FRESH_PROCESS = """
import hashlib, json, sys
from pathlib import Path
from generator.charts import plan_charts
from generator.drawing import draw_svg
from generator.validate import load_dataset

dataset, _ = load_dataset(Path(sys.argv[1]))
plans = plan_charts(dataset, "ar") + plan_charts(dataset, "en")
print(json.dumps({f"{p.chart.lang} {p.chart.key}{' narrow' if p.narrow else ''}":
                  hashlib.sha256(draw_svg(p)).hexdigest()
                  for p in plans}))
"""


def test_a_fresh_process_draws_the_same_bytes(drawn_once):
    run = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, str(DATASETS["mini"])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    fresh = json.loads(run.stdout)
    here = {
        f"{lang} {key}": hashlib.sha256(svg).hexdigest()
        for (name, lang, key), svg in drawn_once.items()
        if name == "mini"
    }
    assert fresh == here


def test_svgs_have_no_date_and_their_glyphs_are_paths(drawn_once):
    for key, svg in drawn_once.items():
        assert b"<dc:date>" not in svg, key
        assert b"<text" not in svg, key  # WeasyPrint would lay out live Arabic text reversed
        if key[2] != "locator":  # the locators' map has no text
            assert re.search(rb'<g id="text[-_]', svg), key  # texts, as glyphs placed by <use>
            assert b"<use xlink:href=" in svg, key


# -- only matplotlib's public API -------------------------------------------------------------

# Internals that drawing.py once used: a private attribute, a copied backend method, a
# renderer built by hand instead of asked of a canvas. (Labels shape their glyphs with
# TextToPath's documented methods; test_a_label_prints_as_matplotlib_draws_its_text holds
# them to matplotlib's own text.)
FORBIDDEN = (
    "_text2path",
    "_get_font",
    "_suptitle",
    "print_svg",
    "RendererAgg",
    "RendererSVG",
    "MixedModeRenderer",
    "setattr(",
)


def private_attributes(source: str) -> list[str]:
    """`thing._name` where thing is not self or cls, in code (not strings or comments), with
    its line. Dunders (`super().__init__`) are public."""
    found, previous = [], []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE):
            continue
        if (
            token.type == tokenize.NAME
            and token.string.startswith("_")
            and not (token.string.startswith("__") and token.string.endswith("__"))
            and len(previous) == 2
            and previous[1].string == "."
            and previous[0].string not in ("self", "cls")
        ):
            found.append(f"{token.start[0]}: {previous[0].string}.{token.string}")
        previous = [*previous[-1:], token]
    return found


def test_drawing_uses_no_private_matplotlib_api():
    source = Path(drawing.__file__).read_text(encoding="utf-8")
    assert private_attributes(source) == []
    assert [name for name in FORBIDDEN if name in source] == []
    assert not re.search(r"getattr\([^)]*[\"']_", source), "a private attribute by its name"


def test_the_private_api_check_finds_what_it_looks_for():
    code = "fig._suptitle = None\nself._cache = {}\nx = f(a)._b  # c._d\ns = 'e._f'\n"
    code += "super().__init__()\n"
    assert private_attributes(code) == ["1: fig._suptitle", "3: )._b"]


# A 390 pixel phone shows a chart in a column of about 355 CSS pixels (measured with Material's
# margins in tests/test_charts_phone.py); the narrow drawing is shown at that width.
PHONE_COLUMN_PX = 350
TEXT_SIZE = re.compile(rb'<g id="text-([\d.]+)pt_\d+">')


def smallest_text_px(svg: bytes, shown_px: float) -> float:
    """The smallest text of a chart in CSS pixels when the SVG is shown `shown_px` wide: its
    texts are in a group per font size in points (drawing.Texts), its width in points."""
    width = float(re.search(rb'<svg[^>]* width="([\d.]+)pt"', svg).group(1))
    return min(float(s) for s in TEXT_SIZE.findall(svg)) * shown_px / width


def test_every_time_chart_has_a_narrow_drawing_with_text_of_11_px_on_a_phone(plans, drawn_once):
    for name, planned in plans.items():
        time_charts = {
            (p.chart.lang, p.chart.key)
            for p in planned
            if p.kind in ("activity", "figures", "status")
        }
        narrow = {(p.chart.lang, p.chart.key): label(p) for p in planned if p.narrow}
        assert set(narrow) == time_charts
        for (lang, _), key in narrow.items():
            shown = smallest_text_px(drawn_once[name, lang, key], PHONE_COLUMN_PX)
            assert shown >= 11, (lang, key, shown)


def test_a_wide_drawing_would_be_unreadable_on_a_phone(drawn_once):
    """Why the narrow drawings exist: a wide one shrunk to a phone's column."""
    wide = drawn_once["real", "en", "overview:activity"]
    assert smallest_text_px(wide, PHONE_COLUMN_PX) < 8


# -- labels: matplotlib's text, shaped once -----------------------------------------------------

# Texts of the charts in every alignment they use: one line and two, Latin and Arabic, with
# digits and brackets inside Arabic.
LABELS = {
    "en": [
        ("Arrests 2024", "left", "baseline", None),
        ("120", "right", "center_baseline", None),
        ("Figures reported at\nBase 0", "left", "top", None),
        ("about 48", "center", "bottom", None),
        ("Oct\n2024", "center", "top", 1.05),
    ],
    "ar": [
        ("التاريخ غير مؤكد (الخط: التواريخ الممكنة)", "right", "baseline", None),
        ("تشرين\nالأول", "center", "top", 1.05),
        ("نحو 48", "left", "bottom", None),
        ("الأرقام المُبلغ عنها في قاعدة التنف", "right", "top", None),
        ("١٢٠", "left", "center_baseline", None),
    ],
}


def texts_svg(lang: str, as_labels: bool) -> bytes:
    """The texts of LABELS[lang] down a figure, as matplotlib's Text or as drawing.Label."""
    from matplotlib.figure import Figure

    with drawing.chart_style(lang):
        fig = Figure(figsize=(4, 4))
        layer = fig.add_artist(drawing.Texts())
        for i, (text, ha, va, spacing) in enumerate(LABELS[lang]):
            xy, style = (0.5, 0.92 - i * 0.2), {"ha": ha, "va": va, "linespacing": spacing}
            if as_labels:
                layer.add(drawing.Label(xy, text, fig.transFigure, size=9, **style))
            else:
                fig.text(*xy, text, fontsize=9, **style)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()


def printed(svg: bytes, path: Path):
    """`svg` printed by WeasyPrint and read back at 200 dpi, as an array of grey levels."""
    import matplotlib.image
    from weasyprint import HTML

    path.with_suffix(".svg").write_bytes(svg)
    page = f'<style>@page {{ size: 12cm; margin: 0 }}</style><img src="{path.with_suffix(".svg").as_uri()}" style="width: 10cm">'
    HTML(string=page).write_pdf(path.with_suffix(".pdf"))
    subprocess.run(
        ["pdftoppm", "-r", "200", "-gray", "-png", "-singlefile", path.with_suffix(".pdf"), path],
        check=True,
    )
    return matplotlib.image.imread(path.with_suffix(".png"))


@pytest.mark.parametrize("lang", LABELS)
def test_a_label_prints_as_matplotlib_draws_its_text(lang, tmp_path):
    """drawing.Label stands in for matplotlib's Text (its glyphs shaped once a process): the
    same texts, aligned the same ways, must print where Text prints them, glyph for glyph."""
    text = printed(texts_svg(lang, as_labels=False), tmp_path / "text")
    label = printed(texts_svg(lang, as_labels=True), tmp_path / "label")
    assert text.shape == label.shape
    ink = text < 0.5
    assert ink.sum() > 2000  # the texts are there
    assert (abs(text - label) > 0.25).sum() < ink.sum() / 100, "the same pixels, but for edges"
