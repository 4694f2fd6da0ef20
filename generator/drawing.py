"""Drawing planned charts with matplotlib: the only module that imports it.

`draw_svg(plan)` turns a charts.PlannedChart into SVG bytes, the same bytes for the same plan;
`draw(plan)` also gives its texts as placed, for the PDF briefings.
How each date precision is drawn, and why Arabic charts look the way they do: docs/charts.md.
"""

from __future__ import annotations

import contextlib
import io
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.artist import Artist

from generator import geo
from generator.i18n import LANGUAGES

if TYPE_CHECKING:
    from generator.charts import ChartText, PlannedChart

FONT_DIR = Path(__file__).parent.parent / "docs" / "assets" / "fonts"
FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
FONT_FILES += ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")

# Each label is in one language; the second family only catches stray glyphs (digits in
# Arabic labels) so that no glyph is ever missing.
FONTS = {"en": ["Noto Sans", "Noto Naskh Arabic"], "ar": ["Noto Naskh Arabic", "Noto Sans"]}
FONT_SCALE = {"en": 1.0, "ar": 1.1}  # Naskh looks smaller than Latin at the same size
WIDTH = 6.4  # inches: a page's column on a screen at 100 %, and in print
# The phone drawing of a chart (spec["narrow"]): about as wide as a 390 pixel screen's column
# (96 CSS pixels an inch), so that it is shown at about its size, with larger text.
NARROW_WIDTH = 3.7
NARROW_TEXT = 1.1
DPI = 100  # of the figures, while they are laid out (an SVG is written at 72)
INK, MUTED, GREY, GRID = "#222222", "#5F5F5F", "#555555", "#DDDDDD"
STYLE: dict[str, Any] = {
    "svg.fonttype": "path",  # glyphs as paths: the same in browsers and in WeasyPrint
    "svg.hashsalt": "briefing-charts",  # stable clip-path ids
    "axes.unicode_minus": False,  # the vendored Noto Sans has no U+2212
    "font.size": 9.5,
    "figure.titlesize": 11.5,
    "figure.titleweight": "bold",
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.spines.left": False,
    "grid.color": GRID,
    "grid.linewidth": 0.7,
    "legend.frameon": False,
    "hatch.linewidth": 1.2,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}
HATCH = "////"
DASHED = (0, (2, 1.5))
BEFORE_ARROW_DAYS = 20  # length of the "on or before" arrow on time axes
BAR_WIDTH = 0.72  # of a month's slot
PAD = 0.06  # inches between a chart's parts, and at its edges
MONTH_MARK = 4 / 72  # inches: the marks of month boundaries under a time axis


def draw_svg(plan: PlannedChart) -> bytes:
    return draw(plan)[0]


def save_chart(plan: PlannedChart, target, fmt: str = "svg", **options) -> None:
    """Draw `plan` into a file or buffer; `fmt="png"` makes previews for a look."""
    with drawn(plan) as fig:
        metadata = {"Date": None} if fmt == "svg" else None  # no date: identical bytes every run
        fig.savefig(target, format=fmt, metadata=metadata, **options)


def draw(plan: PlannedChart) -> tuple[bytes, list[ChartText]]:
    """The SVG of `plan` and, unless it is a phone's drawing, the lines of its labels where
    the SVG draws them, for the briefings to set as text (charts.print_texts)."""
    with drawn(plan) as fig:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue(), [] if plan.narrow else _placed_texts(fig)


def _placed_texts(fig) -> list[ChartText]:
    """The lines of `fig`'s labels, in points from its top left (an SVG's unit)."""
    from matplotlib.colors import to_hex

    from generator.charts import ChartText

    fig.set_dpi(72)  # a pixel is a point, as in the SVG
    height = fig.get_figheight() * 72
    texts = []
    for label in texts_of(fig).labels:
        x, y = label.transform.transform(label.xy)
        ascent = _line_metrics(*label.font)[0] * label.size / EM
        lines = label.layout(72)[0]
        for text, (shaped, left, baseline) in zip(label.text.split("\n"), lines, strict=True):
            if not shaped.glyphs:
                continue
            texts.append(
                ChartText(
                    text=text,
                    left=round(x + left, 2),
                    top=round(height - (y + baseline) - ascent, 2),
                    width=round(shaped.width * label.size / EM, 2),
                    size=round(label.size, 2),
                    bold=label.font[1] == "bold",
                    color=to_hex(label.color),
                )
            )
    return texts


@contextlib.contextmanager
def drawn(plan: PlannedChart) -> Iterator[Any]:
    """The figure of `plan`, in the chart style of its language, which holds in the block."""
    with chart_style(plan.chart.lang, plan.spec.get("narrow", False)):
        yield DRAWERS[plan.kind](plan.spec)


@contextlib.contextmanager
def chart_style(lang: str, narrow: bool = False) -> Iterator[None]:
    """The charts' matplotlib settings in `lang`, for a wide or a narrow drawing, in the block."""
    mpl = _matplotlib()
    scale = FONT_SCALE[lang] * (NARROW_TEXT if narrow else 1)
    sizes = {key: value * scale for key, value in STYLE.items() if key.endswith("size")}
    width = {"figure.figsize": (NARROW_WIDTH if narrow else WIDTH, 4.8)}
    with mpl.rc_context({**STYLE, **sizes, **width, "font.family": FONTS[lang]}):
        yield


@cache
def _matplotlib():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    for name in FONT_FILES:
        font_manager.fontManager.addfont(str(FONT_DIR / name))
    return matplotlib


# -- text -------------------------------------------------------------------------------------

EM = 100.0  # points (at 72 dpi): the size at which a line is shaped, scaled to any other


@dataclass(frozen=True)
class Shaped:
    """A line of text shaped at EM: its glyphs (an id and an origin each) and its ink box, as
    matplotlib measures text (width, height and the descent below the baseline)."""

    glyphs: tuple[tuple[str, float, float], ...]
    width: float
    height: float
    descent: float


_OUTLINES: dict[str, tuple[Any, Any]] = {}  # a glyph's id -> its outline at EM


def _font(families: tuple[str, ...], weight: str):
    """The font of `families` in `weight`, each family a fallback for glyphs the ones before
    it lack, as matplotlib's text finds and falls back. Asked of matplotlib every time: it
    keeps one a process, and a forked worker must not read its parent's font file."""
    from matplotlib.font_manager import get_font

    return get_font(_font_files(families, weight))


@cache
def _font_files(families: tuple[str, ...], weight: str) -> tuple[str, ...]:
    from matplotlib.font_manager import FontProperties, findfont

    return tuple(
        findfont(FontProperties(family=family, weight=weight), fallback_to_default=False)
        for family in families
    )


@cache
def _line_metrics(families: tuple[str, ...], weight: str) -> tuple[float, float, float]:
    """Ascent, descent and line gap at EM from the first font's tables: the least room a line
    of text takes, as matplotlib's Text takes it."""
    font = _font(families, weight)
    scale = EM / font.get_sfnt_table("head")["unitsPerEm"]
    table = font.get_sfnt_table("OS/2")
    return (
        table["sTypoAscender"] * scale,
        -table["sTypoDescender"] * scale,
        table["sTypoLineGap"] * scale,
    )


@lru_cache(maxsize=8192)
def _shaped(line: str, families: tuple[str, ...], weight: str) -> Shaped:
    """`line` shaped (Arabic joined and ordered right to left) and measured once a process:
    the same month names, numbers and legend entries recur in every chart."""
    from matplotlib.ft2font import LoadFlags
    from matplotlib.textpath import TextToPath

    font = _font(families, weight)
    font.set_size(EM, 72)
    glyphs, _, _ = TextToPath().get_glyphs_with_font(font, line, glyph_map=_OUTLINES)
    font.set_text(line, 0.0, flags=LoadFlags.NO_HINTING)  # matplotlib's measure of text
    (width, height), descent = font.get_width_height(), font.get_descent()
    placed = tuple((glyph, x, y) for glyph, x, y, _ in glyphs if len(_OUTLINES[glyph][0]))
    return Shaped(placed, width / 64, height / 64, descent / 64)


@lru_cache(maxsize=4096)
def _outline(glyph: str, scale: float):
    """A glyph's outline `scale` times its size at EM, to a hundredth of a unit (of a point in
    an SVG): short numbers for the browser and the PDF to read."""
    import numpy as np
    from matplotlib.path import Path as MplPath

    vertices, codes = _OUTLINES[glyph]
    return MplPath(np.round(vertices * scale, 2), codes)


def _text_width(text: str, size: float, family: tuple[str, ...], weight: str = "normal") -> float:
    """The width of one line of text at DPI, in pixels."""
    return _shaped(text, family, weight).width * size * DPI / 72 / EM


class Label:
    """A text of a time chart: a line or a few at `xy` in `transform`, aligned there by `ha`
    and `va` as matplotlib's Text aligns a text that is not rotated, in one font, size and
    color. A figure's labels are drawn together by its Texts.

    Labels stand in for Text, which shapes, measures and lays out its string again at every
    draw of every figure: that was most of what a chart cost. A label's lines are shaped once
    a process (_shaped). tests/test_drawing.py holds labels to Text's own boxes and pixels."""

    def __init__(
        self,
        xy: tuple[float, float],
        text: str,
        transform,
        *,
        size: float,
        weight: str = "normal",
        color: str | None = None,
        ha: str = "left",
        va: str = "baseline",
        linespacing: float | None = None,
    ) -> None:
        rc = _matplotlib().rcParams
        self.xy, self.text, self.transform = xy, text, transform
        self.font = (tuple(rc["font.family"]), weight)
        self.size, self.color = size, color or rc["text.color"]
        self.ha, self.va, self.linespacing = ha, va, linespacing
        self.layer: Texts | None = None
        self.laid_out: dict[tuple, tuple] = {}  # layout() by dpi and alignment

    def get_text(self) -> str:
        return self.text

    def layout(self, dpi: float) -> tuple[list[tuple[Shaped, float, float]], tuple]:
        """Each line's shape and the start of its baseline, and the box of all lines (x0, y0,
        x1, y1), in pixels from `xy` at `dpi`: matplotlib's layout of a Text ('normal' line
        spacing, or `linespacing` times the font's height from baseline to baseline)."""
        key = (dpi, self.ha, self.va)
        if key not in self.laid_out:  # asked by the layout, then by the draw
            self.laid_out[key] = self._lines_at(dpi)
        return self.laid_out[key]

    def _lines_at(self, dpi: float) -> tuple[list[tuple[Shaped, float, float]], tuple]:
        scale = self.size * dpi / 72 / EM
        ascent, descent, gap = (value * scale for value in _line_metrics(*self.font))
        texts = self.text.split("\n")
        gap = gap if len(texts) > 1 else 0
        lines, top = [], 0.0  # top: where the next line starts, from the top of the box
        for text in texts:
            shaped = _shaped(text, *self.font)
            w, h, d = (value * scale for value in (shaped.width, shaped.height, shaped.descent))
            a = h - d
            if self.linespacing is None:
                a, d = max(a, ascent) + gap / 2, max(d, descent) + gap / 2
            else:
                leading = self.linespacing * (ascent + descent) - (a + d)
                a, d = a + leading / 2, d + leading / 2
            lines.append((shaped, w, top - a))
            top -= a + d
        width = max(w for _, w, _ in lines)
        last = lines[-1][2]  # the last baseline
        dx = {"left": 0, "center": width / 2, "right": width}[self.ha]
        dy = {
            "top": 0,
            "bottom": top,
            "center": top / 2,
            "baseline": last,
            "center_baseline": last / 2,
        }[self.va]
        shift = {"left": 0, "center": 0.5, "right": 1}[self.ha]  # lines aligned as the whole
        placed = [(shaped, (width - w) * shift - dx, y - dy) for shaped, w, y in lines]
        return placed, (-dx, top - dy, width - dx, -dy)

    def get_window_extent(self, renderer=None):
        """Its box in pixels on its figure, as Text.get_window_extent."""
        from matplotlib.transforms import Bbox

        x, y = self.transform.transform(self.xy)
        _, (x0, y0, x1, y1) = self.layout(self.layer.get_figure(root=True).dpi)
        return Bbox([[x + x0, y + y0], [x + x1, y + y1]])

    def remove(self) -> None:
        self.layer.labels.remove(self)


class Texts(Artist):
    """The labels of a figure, drawn together as markers: an SVG defines each glyph once for
    each size and color, and places it with <use> wherever it occurs, as matplotlib draws
    text as paths. In a group per font size, named by it (text-9pt_1)."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: list[Label] = []
        self.set_zorder(3.5)  # over the data, where a figure draws its texts

    def add(self, label: Label) -> Label:
        label.layer = self
        self.labels.append(label)
        return label

    def draw(self, renderer) -> None:
        from matplotlib.colors import to_rgba
        from matplotlib.path import Path as MplPath
        from matplotlib.transforms import IdentityTransform

        if not self.get_visible():
            return
        dpi = self.get_figure(root=True).dpi
        # size -> (glyph, color) -> where the glyph starts, to a hundredth of a point
        origins: dict[float, dict[tuple[str, str], list]] = defaultdict(lambda: defaultdict(list))
        for label in self.labels:
            x, y = label.transform.transform(label.xy)
            scale = label.size * dpi / 72 / EM
            placed = origins[label.size]
            for shaped, left, baseline in label.layout(dpi)[0]:
                for glyph, gx, gy in shaped.glyphs:
                    at = (round(x + left + gx * scale, 2), round(y + baseline + gy * scale, 2))
                    placed[glyph, label.color].append(at)
        gc = renderer.new_gc()
        gc.set_linewidth(0)  # glyphs are filled, not outlined
        gc.set_snap(False)
        same = IdentityTransform()
        for size, glyphs in origins.items():
            group = f"text-{size:.3g}pt"
            renderer.open_group(group)
            scale = size * dpi / 72 / EM
            for (glyph, color), points in glyphs.items():
                at = MplPath(points, [MplPath.MOVETO] * len(points))
                renderer.draw_markers(gc, _outline(glyph, scale), same, at, same, to_rgba(color))
            renderer.close_group(group)
        gc.restore()


def texts_of(fig) -> Texts:
    """The Texts of `fig`, added with its first label."""
    layer = next((a for a in fig.artists if isinstance(a, Texts)), None)
    return layer or fig.add_artist(Texts())


def _label(fig, xy: tuple[float, float], text: str, transform, **style) -> Label:
    """A Label on `fig`, of the font size unless the style gives one."""
    style.setdefault("size", _matplotlib().rcParams["font.size"])
    return texts_of(fig).add(Label(xy, text, transform, **style))


# -- shared drawing helpers -------------------------------------------------------------------


@cache
def _measuring_renderer():
    """The renderer that measures the texts of every chart for layout. A text's size depends
    on the text, its font and the dpi, not on the figure, and matplotlib remembers sizes per
    renderer: with one renderer, the month names, numbers and legend entries that recur in
    every chart are measured once a process."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return FigureCanvasAgg(Figure(dpi=DPI)).get_renderer()


def _pt(size: float) -> float:
    """A font size in points, scaled for the chart's language (see FONT_SCALE)."""
    return size * _matplotlib().rcParams["font.size"] / STYLE["font.size"]


def _figure(height: float, panels: int = 0):
    """A new figure `height` inches high with `panels` plot panels, for _layout to place.
    Returns the figure and its panels. Its canvas is Agg's, so that whoever holds the figure
    (drawn) can measure it; savefig switches to the canvas of the format it writes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width = _matplotlib().rcParams["figure.figsize"][0]  # WIDTH, or NARROW_WIDTH (drawn)
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig, [Panel(fig) for _ in range(panels)]


def _fit_height(fig, title, height: float) -> None:
    """Make the figure `height` inches high, its title still at the top: a narrow chart's
    height depends on its legend, known once drawn (_bottom_legend places it in inches)."""
    fig.set_size_inches(fig.get_figwidth(), height)
    title.xy = (title.xy[0], 1 - PAD / height)


class Panel:
    """The plot area of a time chart: its data limits, its position on the figure, and
    transforms from both that follow when either changes. What is drawn in it is clipped to
    it, as in an Axes.

    It stands in for a matplotlib Axes, with the few of its methods these charts use: an
    Axes makes ticks, axis labels and titles for every panel, and these charts show none of
    them, drawing their own (_value_axis, _month_labels, _panel_title) placed once."""

    def __init__(self, fig) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.transforms import Bbox, BboxTransformFrom, BboxTransformTo, TransformedBbox

        rc = _matplotlib().rcParams
        self.figure = fig
        self.view = Bbox.unit()  # the data limits
        self.position = Bbox.unit()  # in fractions of the figure's width and height
        self.bbox = TransformedBbox(self.position, fig.transFigure)  # in pixels
        self.transAxes = BboxTransformTo(self.bbox)
        self.transData = BboxTransformFrom(self.view) + self.transAxes
        bottom = Line2D([0, 1], [0, 0], transform=self.transAxes, clip_on=False, zorder=2.5)
        bottom.set(color=rc["axes.edgecolor"], lw=rc["axes.linewidth"], solid_capstyle="projecting")
        self.add_artist(bottom)  # the time axis, where an Axes draws its bottom spine

    def set_xlim(self, low: float, high: float) -> None:
        self.view.intervalx = low, high

    def set_ylim(self, low: float, high: float) -> None:
        self.view.intervaly = low, high

    def get_ylim(self) -> tuple[float, float]:
        low, high = self.view.intervaly.tolist()
        return low, high

    def set_position(self, bounds: tuple[float, float, float, float]) -> None:
        """Left, bottom, width and height, in fractions of the figure."""
        self.position.bounds = bounds

    def add_artist(self, artist):
        """Add `artist`, in data coordinates unless it has a transform of its own, clipped to
        the panel unless it has clip_on=False."""
        if not artist.is_transform_set():
            artist.set_transform(self.transData)
        artist.set_clip_box(self.bbox)
        return self.figure.add_artist(artist)


def _title(fig, spec: dict[str, Any]) -> Label:
    """The chart's title, starting where reading starts."""
    rtl = _rtl(spec)
    rc = _matplotlib().rcParams
    size, weight = rc["figure.titlesize"], rc["figure.titleweight"]
    return _label(
        fig,
        (0.99 if rtl else 0.01, 1 - PAD / fig.get_figheight()),
        _wrapped(spec["title"], (fig.get_figwidth() - 2 * PAD) * 0.98 * DPI, size, weight),
        fig.transFigure,
        size=size,
        weight=weight,
        ha="right" if rtl else "left",
        va="top",
    )


def _wrapped(text: str, width: float, size: float, weight: str) -> str:
    """`text` on as many lines as it takes to fit `width` pixels, broken between words."""
    family = tuple(_matplotlib().rcParams["font.family"])
    lines: list[str] = []
    for word in text.split(" "):
        if lines and _text_width(f"{lines[-1]} {word}", size, family, weight) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def _layout(fig, panels, title, legend: float, ticks=None, texts=None, marks=None) -> None:
    """Stack the plot panels between the `title` (_title) and the legend, leaving room for
    what sticks out of each: `texts[i]`, the texts of panel i that may reach past its frame
    (its title and value labels, say), and the month names under the last one.

    It measures those few texts rather than running constrained layout, which measures every
    artist of the figure again and again. The positions depend only on the chart's own texts.
    `ticks`, (positions, month names), go under the last panel, fitted to its width.
    `legend` is the height of the legend under the chart, in inches (_bottom_legend).
    `marks`, month boundaries, are marked under every panel.
    """
    width, height = (fig.get_size_inches() * fig.dpi).tolist()
    pad = PAD * fig.dpi
    top = height - pad
    if title.get_text():
        top -= title.get_window_extent().height + pad
    bottom = pad + (legend * fig.dpi + pad if legend else 0)

    def reach(i: int) -> tuple[float, float, float, float]:
        """How far panel i's texts reach past its frame: left, bottom, right, top."""
        frame = panels[i].bbox
        boxes = [t.get_window_extent() for t in texts.get(i, ())]
        boxes = [b for b in boxes if b.width and b.height]
        return (
            max([frame.x0 - b.x0 for b in boxes] + [0]),
            max([frame.y0 - b.y0 for b in boxes] + [0]),
            max([b.x1 - frame.x1 for b in boxes] + [0]),
            max([b.y1 - frame.y1 for b in boxes] + [0]),
        )

    def place(x0: float, x1: float, spans) -> None:
        for panel, (y0, y1) in zip(panels, spans):
            panel.set_position((x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height))

    last = len(panels) - 1
    texts = {i: list(t) for i, t in (texts or {}).items()}
    beside = texts.get(last, [])
    if ticks:  # measured first as they are, on one line each
        months = _month_texts(panels[-1], *ticks)
        texts[last] = beside + months
    # how far texts reach does not depend on where the panel is: measure, then place
    place(0, width, [(bottom, top)] * len(panels))
    sides = [reach(i) for i in range(len(panels))]

    def across() -> tuple[float, float]:
        return pad + max(s[0] for s in sides), width - pad - max(s[2] for s in sides)

    x0, x1 = across()
    if ticks:  # how many month names fit depends on the width just found
        place(x0, x1, [(bottom, top)] * len(panels))
        for text in months:
            text.remove()
        texts[last] = beside + _month_labels(panels[-1], *ticks)
        sides[-1] = reach(last)
        x0, x1 = across()
    gaps = 2 * pad * (len(panels) - 1) + sum(s[1] + s[3] for s in sides)
    each = (top - bottom - gaps) / len(panels)
    spans, y = [], top
    for s in sides:
        y -= s[3]
        spans.append((y - each, y))
        y -= each + s[1] + 2 * pad
    place(x0, x1, spans)
    for panel, (y0, y1) in zip(panels, spans) if marks else ():
        _month_marks(panel, marks, MONTH_MARK * fig.dpi / (y1 - y0))


def _plot(ax, *xy, **style):
    """ax.plot(x, y, **style) on an Axes or a Panel, as a plain line: every chart sets its
    limits and colors itself, so it needs neither plot's color cycle nor add_line's
    data limits."""
    from matplotlib.lines import Line2D

    x, y = ([v] if isinstance(v, (int, float)) else v for v in xy)  # a point, as plot takes
    return ax.add_artist(Line2D(x, y, **style))


def _point_label(panel, text: str, xy, offset, **style) -> Label:
    """`text` just above a data point, `offset` points away from it, where ax.annotate
    without an arrow would put it."""
    from matplotlib.transforms import offset_copy

    at = offset_copy(panel.transData, fig=panel.figure, x=offset[0], y=offset[1], units="points")
    return _label(panel.figure, xy, text, at, va="bottom", **style)


def _panel_title(panel, label: str, rtl: bool) -> Label:
    """A panel's title where ax.set_title puts it: its baseline 4 points over the panel's top
    edge where reading starts, raised when its descenders (Arabic's are deep) would reach
    into the panel."""
    from matplotlib.transforms import offset_copy

    rc = _matplotlib().rcParams
    style = {"size": rc["axes.titlesize"], "weight": rc["axes.titleweight"]}
    x, ha = (1, "right") if rtl else (0, "left")
    descent = -Label((0, 0), label, None, va="baseline", **style).layout(72)[1][1]  # points
    raised = offset_copy(panel.transAxes, fig=panel.figure, y=max(4 - descent, 0), units="points")
    return _label(panel.figure, (x, 1), label, raised, ha=ha, va="bottom", **style)


def _rtl(spec: dict[str, Any]) -> bool:
    return LANGUAGES[spec["lang"]].direction == "rtl"


def _legend(fig, entries: list[tuple[Any, str]], rtl: bool, ncols: int, **options):
    """The map's matplotlib legend (its keys need custom handlers; the other charts use
    _bottom_legend), placed by `options`, read in the page's direction: row by row, from
    the left in English and from the right in Arabic, each key on the side where its text
    starts."""
    from matplotlib.patches import Rectangle

    ncols = max(1, min(ncols, len(entries)))
    rows = math.ceil(len(entries) / ncols)
    blank = (Rectangle((0, 0), 0, 0, visible=False), "")
    ordered = []
    for column in range(ncols):  # matplotlib fills a legend column by column
        for row in range(rows):
            i = row * ncols + (ncols - 1 - column if rtl else column)
            ordered.append(entries[i] if i < len(entries) else blank)
    handles, labels = zip(*ordered)
    return fig.legend(
        handles,
        labels,
        ncols=ncols,
        markerfirst=not rtl,
        columnspacing=1.2,
        handlelength=1.6,
        handletextpad=0.5,
        **options,
    )


def _bottom_legend(fig, entries: list[tuple[Any, str]], rtl: bool, ncols: int) -> float:
    """The legend under a chart, read in the page's direction: row by row, from the left in
    English and from the right in Arabic, each key on the side where its text starts.
    Returns its height in inches, for _layout to leave room for.

    Drawn as its keys and texts rather than as a matplotlib Legend, whose nested boxes are
    laid out again at every draw and measure. It keeps Legend's proportions, in font sizes:
    keys 1.6 wide and 0.7 high on the baseline, 0.5 between key and text, 1.2 between
    columns, 0.5 between rows, 0.4 around."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    size = _matplotlib().rcParams["legend.fontsize"]
    em, dpi = size / 72, fig.dpi  # inches
    width = fig.get_figwidth()
    texts = [
        _label(fig, (0, 0), label, fig.dpi_scale_trans, size=size, ha="right" if rtl else "left")
        for _, label in entries
    ]
    boxes = [t.get_window_extent() for t in texts]  # from a baseline at 0
    ascent = max(b.y1 for b in boxes) / dpi
    descent = max(-b.y0 for b in boxes) / dpi
    pitch = ascent + descent + 0.5 * em
    key, gap = 1.6 * em, 0.5 * em

    def widths(ncols: int) -> list[float]:
        return [
            max(key + gap + boxes[i].width / dpi for i in range(c, len(entries), ncols))
            for c in range(ncols)
        ]

    ncols = max(1, min(ncols, len(entries)))
    while ncols > 1 and sum(widths(ncols)) + 1.2 * em * (ncols - 1) > 0.98 * width - 0.8 * em:
        ncols -= 1  # fewer columns on a narrow chart, rather than running off its side
    rows = math.ceil(len(entries) / ncols)
    columns = widths(ncols)
    start = (0.99 * width if rtl else 0.01 * width) + (-0.4 * em if rtl else 0.4 * em)
    lowest = PAD + 0.4 * em + descent  # the last row's baseline
    for i, ((handle, _), text) in enumerate(zip(entries, texts)):
        row, column = divmod(i, ncols)
        offset = sum(columns[:column]) + 1.2 * em * column
        edge = start - offset if rtl else start + offset  # where this entry starts
        x0 = edge - key if rtl else edge  # the key's left side
        y = lowest + (rows - 1 - row) * pitch
        text.xy = (x0 - gap if rtl else x0 + key + gap, y)
        if isinstance(handle, Line2D):
            mark = Line2D([x0, x0 + key / 2, x0 + key], [y + 0.35 * em] * 3)
            mark.update_from(handle)
            mark.set_markevery([1])  # one marker, in the middle
        else:
            mark = Rectangle((x0, y), key, 0.7 * em)
            mark.update_from(handle)
        mark.set_transform(fig.dpi_scale_trans)  # inches from the figure's corner
        fig.add_artist(mark)
    return 0.8 * em + rows * (ascent + descent) + (rows - 1) * 0.5 * em


def _value_axis(panel, spec: dict[str, Any]) -> list:
    """Counts with the page's digits, on grid lines at round values; in Arabic on the right,
    time still running rightwards. Returns the labels, for _layout to make room for.

    Drawn as one set of lines and a few texts, not as matplotlib ticks: ticks are several
    objects each, measured and laid out again at every draw."""
    from matplotlib.collections import LineCollection
    from matplotlib.ticker import MaxNLocator
    from matplotlib.transforms import blended_transform_factory, offset_copy

    rc = _matplotlib().rcParams
    number, rtl = LANGUAGES[spec["lang"]].number, _rtl(spec)
    low, high = panel.get_ylim()
    close = 1e-10 * (high - low)  # as matplotlib keeps a tick at the very end of an axis
    locator = MaxNLocator(nbins=4, integer=True, min_n_ticks=2)
    values = [v for v in locator.tick_values(low, high) if low - close <= v <= high + close]
    across = blended_transform_factory(panel.transAxes, panel.transData)
    grid = LineCollection(
        [[(0, v), (1, v)] for v in values],
        transform=across,
        colors=rc["grid.color"],
        linewidths=rc["grid.linewidth"],
        zorder=0.5,  # under the data
    )
    panel.add_artist(grid)
    pad = rc["ytick.major.pad"]
    at = offset_copy(across, fig=panel.figure, x=pad if rtl else -pad, units="points")
    return [
        _label(
            panel.figure,
            (1 if rtl else 0, v),
            number(int(v)),
            at,
            ha="left" if rtl else "right",
            va="center_baseline",
            size=rc["ytick.labelsize"],
            color=rc["ytick.color"],
        )
        for v in values
    ]


def _month_texts(panel, positions, labels) -> list:
    """Month names under the plot, where matplotlib would put tick labels (figure texts, as
    the value labels)."""
    from matplotlib.transforms import blended_transform_factory, offset_copy

    rc = _matplotlib().rcParams
    under = offset_copy(
        blended_transform_factory(panel.transData, panel.transAxes),
        fig=panel.figure,
        y=-rc["xtick.major.pad"],
        units="points",
    )
    return [
        _label(
            panel.figure,
            (x, 0),
            label,
            under,
            ha="center",
            va="top",
            size=rc["xtick.labelsize"],
            color=rc["xtick.color"],
            linespacing=1.05,
        )
        for x, label in zip(positions, labels)
        if label
    ]


def _month_labels(panel, positions, labels) -> list:
    """Month names that do not touch: as they are, else two-word names (تشرين الثاني) on two
    lines, else only every k-th month named. Measured at the plot's final width, as text
    before any is drawn."""
    rc = _matplotlib().rcParams
    size, family = rc["xtick.labelsize"], tuple(rc["font.family"])
    (x0, _), (x1, _) = panel.transData.transform([(positions[0], 0), (positions[-1], 0)])
    spacing = abs(x1 - x0) / max(1, len(positions) - 1)
    wrapped = [label.replace(" ", "\n", 1) for label in labels]
    for candidate in (labels, wrapped):
        lines = {line for label in candidate for line in label.split("\n")}
        widest = max(_text_width(line, size, family) for line in lines)
        step = math.ceil(widest * 1.12 / spacing)
        if step <= 1:
            return _month_texts(panel, positions, candidate)
    return _month_texts(
        panel, positions, [w if i % step == 0 else "" for i, w in enumerate(wrapped)]
    )


def _month_axis(panel, axis: dict[str, Any]) -> tuple[list, list[str]]:
    """The time axis of a panel. Returns the month names and their places, for _layout to
    fit under the plot once its width is known."""
    panel.set_xlim(*axis["xlim"])
    return axis["ticks"], axis["labels"]


def _month_marks(panel, bounds: list[float], length: float) -> None:
    """Month boundaries as short marks down from the plot's bottom edge, `length` of the
    panel's height: one path, not a tick or a marker each (matplotlib makes an object per
    tick, and a PDF renderer copies each marker)."""
    from matplotlib.transforms import blended_transform_factory

    xs = [x for bound in bounds for x in (bound, bound, math.nan)]
    ys = [y for _ in bounds for y in (0, -length, math.nan)]
    _plot(
        panel,
        xs,
        ys,
        lw=_matplotlib().rcParams["xtick.minor.width"],
        color=MUTED,
        solid_capstyle="butt",
        transform=blended_transform_factory(panel.transData, panel.transAxes),
        clip_on=False,
    )


def _hatch_color(fill: str) -> str:
    """Hatch lines that show on the fill: dark on light colors, white on dark ones."""
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#333333" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55 else "white"


def _label_side(preferred: int, fraction: float) -> int:
    """A value label goes on the reading side of its point unless that runs off the plot."""
    if preferred > 0 and fraction > 0.72 or preferred < 0 and fraction < 0.28:
        return -preferred
    return preferred


# -- the four kinds ---------------------------------------------------------------------------


def _draw_activity(spec: dict[str, Any]):
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    rtl, series = _rtl(spec), spec["series"]
    entries = [(Patch(facecolor=s["color"], edgecolor="white"), s["label"]) for s in series]
    if spec["uncertain_label"]:
        key = Patch(facecolor="#8C8C8C", edgecolor="white", hatch=HATCH, hatchcolor="white")
        entries.append((key, spec["uncertain_label"]))
    # the plot keeps its height
    fig, (panel,) = _figure(2.7 + 0.27 * math.ceil(len(entries) / 3), panels=1)
    title = _title(fig, spec)
    x = list(range(len(spec["months"])))
    bottom = [0] * len(x)
    half = BAR_WIDTH / 2
    for s in series:
        for part, hatch in ((s["certain"], None), (s["uncertain"], HATCH)):
            # one collection per series and certainty: hundreds of bar patches are slow to add
            boxes = [
                [(xi - half, y0), (xi + half, y0), (xi + half, y0 + h), (xi - half, y0 + h)]
                for xi, y0, h in zip(x, bottom, part)
                if h
            ]
            if boxes:
                panel.add_artist(
                    PolyCollection(
                        boxes,
                        facecolors=s["color"],
                        edgecolors="white",
                        linewidths=0.6,
                        hatch=hatch,
                        hatchcolors=_hatch_color(s["color"]),
                    )
                )
                bottom = [a + b for a, b in zip(bottom, part)]
    number = LANGUAGES[spec["lang"]].number
    for xi, total in zip(x, bottom):
        if total:
            label = number(total)
            _point_label(panel, label, (xi, total), (0, 2), ha="center", size=_pt(9))
    panel.set_ylim(0, max(max(bottom) * 1.18, 1))
    panel.set_xlim(-0.6, len(x) - 0.4)
    values = _value_axis(panel, spec)
    legend = _bottom_legend(fig, entries, rtl, 3)
    if spec.get("narrow"):
        _fit_height(fig, title, 3.0 + legend)
    _layout(fig, [panel], title, legend, ticks=(x, spec["months"]), texts={0: values})
    return fig


def _draw_figures(spec: dict[str, Any]):
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, Patch

    rtl, axis = _rtl(spec), spec["axis"]
    fig, panels = _figure(1.9 + 1.45 * len(spec["panels"]), panels=len(spec["panels"]))
    title = _title(fig, spec)
    (start, end), span = axis["xlim"], axis["xlim"][1] - axis["xlim"][0]
    markers = {"up": "^", "down": "v", "": "o"}
    texts, values = [], []  # values: each panel's value labels
    for panel, data in zip(panels, spec["panels"]):
        values.append([])
        panel.set_xlim(start, end)
        # a panel holds dozens of points: lines and marks are gathered by style and drawn as
        # a few artists (segments split by NaN), not one artist per mark
        spans: dict[str, list[float]] = defaultdict(list)  # color -> x, x, NaN, ...
        ranges: dict[str, list[tuple[float, float]]] = defaultdict(list)
        marks: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
        for p in data["points"]:
            color = p["color"]
            y = (p["low"] + p["high"]) / 2
            if p["x0"] is None:  # on or before: an arrow back in time, if it ends in the plot
                tip = p["x1"] - BEFORE_ARROW_DAYS
                if start <= tip <= end:
                    style = {"arrowstyle": "-|>", "color": color, "lw": 1.3, "linestyle": DASHED}
                    style.update(shrinkA=0, shrinkB=0, mutation_scale=9, zorder=3)
                    panel.add_artist(FancyArrowPatch((p["x1"], y), (tip, y), **style))
            elif p["x1"] > p["x0"]:  # the days it may have happened on
                spans[color] += [(p["x0"], y), (p["x1"], y), (math.nan, math.nan)]
            if p["low"] != p["high"]:  # reports disagree: lowest to highest, no number chosen
                ranges[color] += [(p["x"], p["low"]), (p["x"], p["high"]), (math.nan, math.nan)]
            fill = color if p["exact"] else "white"
            for low, high, direction in p["claims"]:
                for value in sorted({low, high}):
                    marks[markers[direction], color, fill].append((p["x"], value))
            if spec.get("narrow"):  # no room for values beside points: the axis and table
                continue
            side = _label_side(-1 if rtl else 1, (p["x"] - start) / span)
            values[-1].append(
                _point_label(
                    panel,
                    p["label"],
                    (p["x"], p["high"]),
                    (9 * side, 2),
                    ha="left" if side > 0 else "right",
                    size=_pt(9),
                )
            )
        for color, points in spans.items():
            _plot(panel, *zip(*points), color=color, lw=1.3, ls=DASHED)
        for color, points in ranges.items():
            _plot(panel, *zip(*points), color=color, lw=3, solid_capstyle="butt")
            _plot(panel, *zip(*points), ls="none", marker="_", ms=11, mew=2, color=color)
        for (mark, color, fill), points in marks.items():
            _plot(
                panel,
                *zip(*points),
                ls="none",
                marker=mark,
                ms=7.5,
                mew=1.6,
                mec=color,
                mfc=fill,
                zorder=3,
            )
        panel.set_ylim(0, max(p["high"] for p in data["points"]) * 1.35)
        heading = _panel_title(panel, data["label"], rtl)
        texts.append([heading, *_value_axis(panel, spec)])
    entries = [(Patch(facecolor=color), name) for name, color in spec["types"]]
    keys = {
        "uncertain_date": Line2D(
            [], [], color=GREY, lw=1.3, ls=DASHED, marker="o", mfc="white", mec=GREY
        ),
        "range": Line2D([], [], color=GREY, lw=3, marker="_", ms=11, mew=2),
        "up": Line2D([], [], ls="none", marker="^", color=GREY, ms=7),
        "down": Line2D([], [], ls="none", marker="v", color=GREY, ms=7),
    }
    entries += [(keys[name], text) for name, text in spec["legend"].items()]
    legend = _bottom_legend(fig, entries, rtl, 2)
    if spec.get("narrow"):
        _fit_height(fig, title, 1.5 + 1.5 * len(panels) + legend)
    ticks = _month_axis(panels[-1], axis)  # the same months in every panel, named once
    _layout(fig, panels, title, legend, ticks, dict(enumerate(texts)), marks=axis["bounds"])
    for labels in values:  # where the panels are now known
        _without_overlaps(labels)
    return fig


def _without_overlaps(labels: list[Label]) -> None:
    """Leaves out each value label that would print over or against one kept before it
    (points a few days apart): the table under the chart gives every figure."""
    kept: list = []
    for label in labels:
        box = label.get_window_extent().padded(2)  # pixels: "26" and "24" must not read "2624"
        if any(box.overlaps(other) for other in kept):
            label.remove()
        else:
            kept.append(box)


def _draw_status(spec: dict[str, Any]):
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.transforms import blended_transform_factory

    rtl, rows = _rtl(spec), spec["rows"]
    fig, (panel,) = _figure(1.55 + 0.5 * len(rows), panels=1)
    title = _title(fig, spec)
    for i, row in enumerate(rows):
        y = -i
        for seg in row["segments"]:
            hatch = seg.get("hatch")
            bar = Rectangle((seg["x0"], y - 0.18), seg["x1"] - seg["x0"], 0.36, lw=0)
            bar.set(facecolor=seg["color"], hatch=HATCH if hatch else None, hatchcolor=hatch)
            panel.add_artist(bar)
        for dot in row["dots"]:
            fill = dot["color"] if dot["exact"] else "white"
            _plot(
                panel,
                [dot["x"]],
                [y],
                ls="none",
                marker="o",
                ms=8,
                mew=1.8,
                mec=dot["color"],
                mfc=fill,
                zorder=3,
            )
        # Names start where reading starts: in Arabic just short of the cutoff line.
        x = spec["cutoff"] - 3 if rtl else spec["axis"]["xlim"][0]
        _label(
            fig,
            (x, y + 0.24),
            row["label"],
            panel.transData,
            ha="right" if rtl else "left",
            va="bottom",
            size=_pt(9),
        )
    at_top = blended_transform_factory(panel.transData, panel.transAxes)
    _plot(panel, [spec["cutoff"]] * 2, [0, 1], color=INK, lw=0.9, ls=(0, (3, 2)), transform=at_top)
    cutoff = _label(
        fig,
        (spec["cutoff"], 1.0),
        spec["cutoff_label"],
        at_top,
        ha="right",
        va="bottom",
        size=_pt(9),
        color=MUTED,
    )
    panel.set_ylim(-len(rows) + 0.5, 1.05)
    entries = [(Patch(facecolor=color), name) for name, color in spec["legend"]]
    if spec["hatch_label"]:
        key = Patch(facecolor="white", edgecolor=GREY, hatch=HATCH, hatchcolor=GREY, lw=0)
        entries.append((key, spec["hatch_label"]))
    legend = _bottom_legend(fig, entries, rtl, 3)
    if spec.get("narrow"):
        _fit_height(fig, title, 1.2 + 0.55 * len(rows) + legend)
    ticks = _month_axis(panel, spec["axis"])
    _layout(fig, [panel], title, legend, ticks, {0: [cutoff]}, marks=spec["axis"]["bounds"])
    return fig


MAP_STYLES = {  # face, edge, edge width, hatch
    "syria": ("#FBF8F1", "#3D3D3D", 1.1, None),
    "neighbour": ("#E6E6E3", "#9A9A9A", 0.6, None),
    "occupied": ("#FBF8F1", "#3D3D3D", 0.7, HATCH),
}
SEA, CAPITAL, HATCH_GREY = "#DCE9F2", "#4A4A4A", "#A0A0A0"


# Status shapes (charts.STATUS_SHAPES) as matplotlib markers, and the sizes at which they
# look as large as a circle of 9 points
MARKERS = {
    "circle": ("o", 9),
    "triangle_up": ("^", 10),
    "triangle_down": ("v", 10),
    "cross": ("X", 10),
    "diamond": ("D", 8),
    "square": ("s", 8.5),
    "star": ("*", 13),
    "pentagon": ("p", 10),
    "hexagon": ("h", 10),
    "plus": ("P", 10),
}


def _map_axes(fig, frame: geo.MapFrame):
    """The map's axes at the frame's place (pages compute the same place, geo.MapFrame), with
    the sea, Syria, its neighbours and the occupied Golan."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    window = frame.window
    ax = fig.add_axes(
        (
            frame.margin / frame.width,
            frame.legend / frame.height,
            frame.map_width / frame.width,
            frame.map_height / frame.height,
        )
    )
    ax.set(
        xlim=(window.lon_min, window.lon_max),
        ylim=(window.lat_min, window.lat_max),
        xticks=[],
        yticks=[],
    )
    ax.set_aspect(window.aspect)
    ax.set_facecolor(SEA)
    for spine in ax.spines.values():
        spine.set(visible=True, edgecolor="#9A9A9A")
    for region in geo.load_regions():
        face, edge, width, hatch = MAP_STYLES[region.kind]
        for polygon in region.polygons:
            path = MplPath.make_compound_path(*(MplPath(ring, closed=True) for ring in polygon))
            patch = PathPatch(
                path, facecolor=face, edgecolor=edge, lw=width, hatch=hatch, hatchcolor=HATCH_GREY
            )
            patch.set_zorder(1 if region.kind == "neighbour" else 2)
            ax.add_patch(patch)
    return ax


def _draw_locator(spec: dict[str, Any]):
    """The background of every base page's locator: the map alone, without text, on which
    the page places the base's marker."""
    frame = geo.MapFrame(*spec["frame"])
    fig, _ = _figure(frame.height)
    fig.set_size_inches(frame.width, frame.height)
    _map_axes(fig, frame)
    return fig


def _draw_map(spec: dict[str, Any]):
    from matplotlib.legend_handler import HandlerPatch
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Ellipse, Patch

    rtl = _rtl(spec)
    frame = geo.MapFrame(*spec["frame"])
    window, width, height, margin = frame.window, frame.width, frame.height, frame.margin
    fig, _ = _figure(height)  # laid out here: the map keeps its aspect
    fig.set_size_inches(width, height)
    fig.text(
        width - margin if rtl else margin,
        height - 0.12,
        spec["title"],
        transform=fig.dpi_scale_trans,
        ha="right" if rtl else "left",
        va="top",
        fontsize=_pt(STYLE["figure.titlesize"]),
        fontweight="bold",
    )
    ax = _map_axes(fig, frame)
    for base in spec["bases"]:
        xy = (base["lon"], base["lat"])
        marker, size = MARKERS[base["shape"]]
        if base["precision"] == "area":  # only the area is known: a dashed circle around it
            ring = Ellipse(
                xy,
                0.32,
                0.32 * window.aspect,
                facecolor="none",
                edgecolor=base["color"],
                lw=2,
                ls=(0, (2.5, 1.5)),
            )
            ring.set_zorder(5)
            ax.add_patch(ring)
            _plot(ax, *xy, ls="none", marker=marker, ms=size * 0.6, color=base["color"], zorder=6)
        else:  # exact: filled; approximate: hollow
            fill = base["color"] if base["precision"] == "exact" else "white"
            # a dark outline under the coloured edge: light status colours stay visible
            _plot(ax, *xy, ls="none", marker=marker, ms=size, mew=4, mec=INK, mfc=fill, zorder=6)
            _plot(
                ax,
                *xy,
                ls="none",
                marker=marker,
                ms=size,
                mew=2.2,
                mec=base["color"],
                mfc=fill,
                zorder=6,
            )
    _map_labels(fig, ax, spec, rtl)
    entries = []
    for name, color, shape in spec["statuses"]:
        marker, size = MARKERS[shape]
        key = Line2D([], [], ls="none", marker=marker, ms=size, color=color, mec=INK, mew=1.2)
        entries.append((key, name))
    ring = {"ls": "none", "marker": "o", "ms": 9, "mew": 2.2, "mec": GREY}
    keys = {
        "exact": Line2D([], [], mfc=GREY, **ring),
        "approximate": Line2D([], [], mfc="white", **ring),
        "area": Circle((0, 0), 1, facecolor="none", edgecolor=GREY, lw=1.6, ls=(0, (2.5, 1.5))),
    }
    entries += [(keys[name], text) for name, text in spec["precision"].items()]
    entries.append(
        (Line2D([], [], ls="none", marker="s", ms=3.6, color=CAPITAL), spec["capital_label"])
    )
    golan = Patch(
        facecolor=MAP_STYLES["occupied"][0], edgecolor="#3D3D3D", hatch=HATCH, hatchcolor=HATCH_GREY
    )
    entries.append((golan, spec["golan_label"]))
    _legend(
        fig,
        entries,
        rtl,
        spec["legend_columns"],
        loc="upper right" if rtl else "upper left",
        bbox_to_anchor=(
            (width - margin) / width if rtl else margin / width,
            (frame.legend - 0.05) / height,
        ),
        borderaxespad=0,
        handler_map={Circle: HandlerPatch(patch_func=_circle_key)},
    )
    return fig


def _circle_key(legend, orig_handle, xdescent, ydescent, width, height, fontsize):
    from matplotlib.patches import Circle

    return Circle((width / 2 - xdescent, height / 2 - ydescent), 0.75 * height)


def _map_labels(fig, ax, spec: dict[str, Any], rtl: bool) -> None:
    """Name the neighbours, every base, then each governorate capital that finds room (a
    capital without room is left out, dot and name), with no label over another."""
    renderer = _measuring_renderer()
    ax.apply_aspect()
    to_screen, to_data = ax.transData.transform, ax.transData.inverted().transform
    px = fig.dpi / 72
    obstacles = []
    for region in geo.load_regions():
        if region.id in spec["regions"]:
            text = ax.text(
                *region.label_at,
                spec["regions"][region.id],
                ha="center",
                va="center",
                fontsize=_pt(9),
            )
            text.set(color="#7A7A7A", zorder=3)
            box = text.get_window_extent(renderer)
            obstacles.append((box.x0, box.y0, box.x1, box.y1))
    items = [(b, True) for b in spec["bases"]] + [(c, False) for c in spec["capitals"]]
    texts, requests = [], []
    for item, is_base in items:
        text = ax.text(
            item["lon"],
            item["lat"],
            item["label"],
            fontsize=_pt(9.5 if is_base else 9),
            fontweight="bold" if is_base else "normal",
            color=INK if is_base else GREY,
            ha="center",
            va="center",
            zorder=7,
            bbox={
                "boxstyle": "square,pad=0.08",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.75,
            },
        )
        extent = text.get_window_extent(renderer)
        x, y = to_screen((item["lon"], item["lat"]))
        radius = (9 if item.get("precision") == "area" else 7 if is_base else 3) * px
        requests.append(geo.LabelRequest(x, y, extent.width + 2, extent.height, radius))
        texts.append(text)
    obstacles += [
        (r.x - r.radius, r.y - r.radius, r.x + r.radius, r.y + r.radius) for r in requests
    ]
    frame = ax.get_window_extent(renderer)
    bounds = (frame.x0 + 2, frame.y0 + 2, frame.x1 - 2, frame.y1 - 2)
    placements = geo.place_labels(requests, obstacles, bounds, side=-1 if rtl else 1, step=3 * px)
    for text, request, place, (item, is_base) in zip(texts, requests, placements, items):
        if not place.clear and not is_base:
            text.remove()
            continue
        if not is_base:
            _plot(
                ax, item["lon"], item["lat"], ls="none", marker="s", ms=3.6, color=CAPITAL, zorder=4
            )
        text.set_position(
            to_data(((place.box[0] + place.box[2]) / 2, (place.box[1] + place.box[3]) / 2))
        )
        if place.leader:  # moved away from its point: a thin line back to it
            end = (
                min(max(request.x, place.box[0]), place.box[2]),
                min(max(request.y, place.box[1]), place.box[3]),
            )
            (x0, y0), (x1, y1) = to_data((request.x, request.y)), to_data(end)
            _plot(ax, [x0, x1], [y0, y1], color="#777777", lw=0.7, zorder=5)


DRAWERS = {
    "activity": _draw_activity,
    "figures": _draw_figures,
    "status": _draw_status,
    "map": _draw_map,
    "locator": _draw_locator,
}
