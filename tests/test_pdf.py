"""PDF briefings: real WeasyPrint renders read back with poppler (pdftotext, pdffonts, pdfimages)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zlib
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from generator import derive, pdf
from generator.cache import OutputCache
from generator.i18n import LANGUAGES
from generator.models import FuzzyDate, Text
from generator.validate import load_dataset

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")

POPPLER = ("pdftotext", "pdffonts", "pdfimages", "pdfinfo", "pdftohtml")
pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in POPPLER),
    reason=f"needs poppler-utils ({', '.join(POPPLER)})",
)
# A written briefing and its publisher, added to a copy of the mini fixture (see `mini`). Its
# Arabic has no vowel marks: WeasyPrint maps each glyph to the text of the cluster it first
# drew it in (its ToUnicode gives the alef of "أُ" as alef and damma), and poppler then puts
# letters out of place, which even comparing letters only cannot absorb.
WRITTEN = {
    "id": "2026-03-01-test",
    "title": {"en": "Qasrak grows as al-Tanf is handed over", "ar": "توسع قسرك وتسليم التنف"},
    "period": {"from": "2025-11-01", "to": "2026-02-28"},
    "published": "2026-03-01",
    "bottom_line": {
        "en": "The coalition reinforced Qasrak while it handed al-Tanf to the Syrian army.",
        "ar": "عزز التحالف قاعدة قسرك بينما سلم التنف إلى الجيش السوري.",
    },
    "judgements": [
        {
            "text": {"en": "Qasrak is being reinforced.", "ar": "يجري تعزيز قسرك."},
            "confidence": "low",
            "events": ["2025-11-12-qasrak-convoy", "2025-11-01-qasrak-expansion"],
        },
        {
            "text": {
                "en": "Al-Tanf has passed to the Syrian Ministry of Defense.",
                "ar": "انتقلت التنف إلى وزارة الدفاع السورية.",
            },
            "confidence": "high",
            "events": ["2026-02-21-al-tanf-handover"],
        },
    ],
}
PUBLISHER = {
    "producer": {"en": "The Test Desk", "ar": "مكتب الاختبار"},
    "contact": "desk@example.org",
}
NEWEST_FIRST = [  # the mini fixture's events in the evidence of a briefing on all bases
    "The coalition handed al-Tanf",  # on or before 21 February 2026
    "A convoy of about 25 trucks",  # 12 November 2025
    "Four suspected cell members",  # 5 November 2025
    "Works to enlarge the base",  # November 2025
]


def pdf_text(path: Path, page: int | None = None) -> str:
    """The text of a PDF (or of one page) without the bidi controls poppler wraps around runs."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return BIDI_CONTROLS.sub("", out.stdout)


def words(text: str) -> str:
    """Text with its spaces and line breaks made single spaces."""
    return " ".join(text.split())


def letters(text: str) -> str:
    """Only the letters and digits of a text, as extracted text is compared with its source:
    poppler joins a word hyphenated at a line end, moves punctuation next to right-to-left
    runs, and may put a vowel mark on a line of its own."""
    return "".join(ch for ch in BIDI_CONTROLS.sub("", text) if unicodedata.category(ch)[0] in "LN")


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return dict(line.split(":", 1) for line in out.stdout.splitlines() if ":" in line)


def pdf_outline(path: Path) -> list[str]:
    """The titles of the PDF's outline (bookmarks), in order."""
    out = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-q", "-stdout", "-f", "1", "-l", "1", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    outline = out[out.find("<outline>") :]
    return [BIDI_CONTROLS.sub("", t) for t in re.findall(r"<item[^>]*>([^<]*)</item>", outline)]


def pdf_objects(path: Path) -> bytes:
    """The PDF's bytes with every compressed stream inflated: its catalog is in one."""
    data = path.read_bytes()
    inflated = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return data + b"".join(inflated)


def pdf_fonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def load(data_dir: Path):
    dataset, problems = load_dataset(data_dir)
    assert dataset is not None, problems
    return dataset


@pytest.fixture(scope="module")
def data():
    return load(ROOT / "tests" / "fixtures" / "record-2025")  # frozen: its facts are asserted


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """The mini fixture, with a written briefing (WRITTEN) and its publisher (PUBLISHER)."""
    data_dir = tmp_path_factory.mktemp("mini") / "data"
    shutil.copytree(FIXTURES / "mini", data_dir)
    (data_dir / "briefings").mkdir()
    for path, record in (
        (data_dir / "briefings" / f"{WRITTEN['id']}.yaml", WRITTEN),
        (data_dir / "publisher.yaml", PUBLISHER),
    ):
        path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    return load(data_dir)


@pytest.fixture(scope="module")
def long_record(tmp_path_factory):
    """A synthetic record of more events than the overall briefing lists in full."""
    spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    data_dir = tmp_path_factory.mktemp("long") / "data"
    synth.synthesize(data_dir, events=pdf.WHOLE_RECORD_LIMIT + 40, bases=3, years=2, seed=1)
    return load(data_dir)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="module")
def qasrak_ar(data, out) -> Path:
    path = out / "ar" / "qasrak.pdf"
    assert pdf.render_briefing(
        data, "ar", path, base_id="qasrak", start="2025-08", end="2026-02", version="abc1234"
    )
    return path


@pytest.fixture(scope="module")
def mini_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def mini_all(mini, out, mini_cache) -> list[Path]:
    """Every PDF of `mini`, laid out by worker processes; the layouts stay in `mini_cache`."""
    return pdf.render_all_briefings(mini, out / "mini", cache=OutputCache(mini_cache))


def warm_cache(mini_cache: Path, tmp_path: Path) -> OutputCache:
    """A copy of the cache that mini_all filled, so that a test starts from its layouts."""
    shutil.copytree(mini_cache, tmp_path / "cache")
    return OutputCache(tmp_path / "cache")


@pytest.fixture(scope="module")
def mini_pdf(mini_all, out):
    """A PDF of mini_all by its path under out_dir: mini_pdf('en/briefings/<id>.pdf')."""

    def path(name: str) -> Path:
        found = out / "mini" / name
        assert found in mini_all
        return found

    return path


def written_path(lang: str) -> str:
    return f"{lang}/briefings/{WRITTEN['id']}.pdf"


def ids(briefing) -> list[str]:
    return [e.id for e in briefing.events]


def with_summary(dataset, event_id: str, english: str):
    """The dataset with one event's English summary changed, as an edit of its file would."""
    events = tuple(
        replace(e, summary=replace(e.summary, en=english)) if e.id == event_id else e
        for e in dataset.events
    )
    return replace(dataset, events=events)


def mtimes(paths) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in paths}


def names(paths, root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in paths}


# -- Arabic -----------------------------------------------------------------------------------
def test_arabic_briefing_extracts_in_logical_order(qasrak_ar):
    text = pdf_text(qasrak_ar)
    assert "قسرك" in text
    assert "تشرين الثاني" in text  # Levantine month names (Babel ar_SY)
    assert "شباط" in text
    # lam-alef ligatures come out as lam + alef with Noto Naskh Arabic
    assert "الإخلاء" in text
    assert "التحالف" in text


def test_arabic_briefing_is_right_to_left(data):
    briefing = pdf.plan_briefing(data, base_id="qasrak")
    html = pdf.render_html(briefing, data, LANGUAGES["ar"])
    assert '<html lang="ar" dir="rtl">' in html
    assert "@top-right { content: string(doctitle); }" in html  # running title at the start side


def test_page_x_of_y(qasrak_ar, mini_pdf):
    info = subprocess.run(["pdfinfo", str(qasrak_ar)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout)[1])
    arabic = pdf_text(qasrak_ar)
    for page in range(1, pages + 1):  # poppler may move the digits around the Arabic words
        assert re.search(rf"صفحة\s*{page}\s*من\s*{pages}", arabic)
    english = pdf_text(mini_pdf("en/briefing.pdf"))
    assert re.search(r"Page 1 of \d+", english)


def test_page_counter_css_comes_from_the_strings():
    assert (
        pdf.page_counter_content(LANGUAGES["en"])
        == '"Page " counter(page, decimal) " of " counter(pages, decimal)'
    )
    assert (
        pdf.page_counter_content(LANGUAGES["ar"])
        == '"صفحة " counter(page, decimal) " من " counter(pages, decimal)'
    )
    assert pdf.css_string('a"b\\c</style>') == '"a\\"b\\\\c\\3C /style>"'


# -- written briefings and the front page ----------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_written_briefing_opens_with_its_bottom_line_and_judgements(mini_pdf, lang):
    path = mini_pdf(written_path(lang))
    first = pdf_text(path, page=1)
    for text in (
        WRITTEN["title"][lang],
        WRITTEN["bottom_line"][lang],
        *(j["text"][lang] for j in WRITTEN["judgements"]),
        PUBLISHER["producer"][lang],
        PUBLISHER["contact"],
    ):
        assert letters(text) in letters(first), text
    issued = {"en": "Issued 1 March 2026", "ar": "تاريخ الإصدار 1 آذار 2026"}[lang]
    assert letters(issued) in letters(first)


def test_judgements_give_their_confidence_and_the_page_of_each_event(mini_pdf):
    first = words(pdf_text(mini_pdf(written_path("en")), page=1))
    assert (
        "Confidence: Low · Supporting events: Qasrak: Reinforcement convoy, 12 November 2025 (p."
        in first
    )
    assert (
        "Confidence: High · Supporting events: al-Tanf: Handover, on or before 21 February 2026 (p."
        in first
    )
    pages = re.findall(r"\(p\. (\d+)\)", first)
    assert len(pages) >= 3 and all(int(page) > 0 for page in pages)


def test_a_written_briefing_says_what_changed_in_its_period(mini):
    briefing = pdf.plan_briefing(mini, written=mini.briefings[0])
    assert briefing.period == pdf.Period.parse("2025-11-01", "2026-02-28")
    assert [(s.base_id, s.before, s.change.status) for s in briefing.shifts] == [
        ("al-tanf", "active", "handed_over"),
        ("qasrak", "active", "expanding"),
    ]
    assert [(a.base_id, a.events, a.types) for a in briefing.activity] == [
        ("qasrak", 2, (("expansion", 1), ("reinforcement_convoy", 1))),
        ("al-tanf", 1, (("handover", 1),)),
        (None, 1, (("security_operation", 1),)),
    ]
    html = words(pdf.render_html(briefing, mini, LANGUAGES["en"]))
    assert "<strong>Qasrak</strong>: from Active to Expanding, November 2025" in html
    assert (
        "<strong>Qasrak</strong>: 2 events (1 Expansion, 1 Reinforcement convoy), latest 12 November 2025"
        in html
    )
    assert not pdf.plan_briefing(mini).written  # the other briefings have none
    with pytest.raises(ValueError, match="no written briefing 'nothing'"):
        pdf.render_briefing(mini, "en", Path("unused.pdf"), briefing_id="nothing")


@pytest.mark.parametrize("name", ["en/briefing.pdf", written_path("en")])
def test_evidence_runs_newest_first(mini, mini_pdf, name):
    keys = [e.sort_key for e in pdf.plan_briefing(mini).events]
    assert keys == sorted(keys, reverse=True)
    text = words(pdf_text(mini_pdf(name)))
    evidence = text[text.index("Evidence: events, newest first") :]
    positions = [evidence.index(summary) for summary in NEWEST_FIRST]
    assert positions == sorted(positions)


def test_bases_and_the_whole_record_get_a_front_page_too(mini_pdf):
    base = words(pdf_text(mini_pdf("en/qasrak.pdf"), page=1))
    for text in (
        "Briefing: Qasrak",
        "Information cutoff 21 February 2026",  # the issue date of a briefing on the record
        "Produced by The Test Desk",
        "Contact desk@example.org",
        "Current status Expanding",
        "Latest developments 12 November 2025, Reinforcement convoy — A convoy of about 25 trucks",
    ):
        assert text in base
    overall = words(pdf_text(mini_pdf("ar/briefing.pdf"), page=1))
    for text in ("آخر التطورات", "وضع القواعد", "مكتب الاختبار"):
        assert text in overall


def test_every_pdf_is_tagged_with_its_language_title_and_outline(mini_all, mini_pdf, qasrak_ar):
    for path in (*mini_all, qasrak_ar):
        info = pdf_info(path)
        assert info["Tagged"].strip() == "yes", path
        assert info["Title"].strip(), path
        lang = next(part for part in path.parts if part in LANGUAGES)
        assert f"/Lang ({lang})".encode() in pdf_objects(path), path
    assert pdf_info(mini_pdf(written_path("ar")))["Title"].strip() == WRITTEN["title"]["ar"]
    assert pdf_info(mini_pdf("en/qasrak.pdf"))["Title"].strip() == "Briefing: Qasrak"
    assert pdf_outline(mini_pdf(written_path("en"))) == [
        WRITTEN["title"]["en"],
        "Bottom line",
        "Key judgements",
        "What changed in the period",
        "Status changes",
        "New events by base",
        "Status of the bases",
        "Headline figures",
        "Evidence: events, newest first",
        "Sources",
    ]


# -- sources, fonts, determinism --------------------------------------------------------------
def test_endnotes_give_full_urls(mini_pdf):
    text = pdf_text(mini_pdf("en/briefing.pdf"))
    assert "https://example.org/report-a" in text
    assert "https://example.com/report-b" in text
    assert "Example Monitor" in text and "Coalition leaves al-Tanf" in text


def test_sources_without_url_say_so(data):
    briefing = pdf.plan_briefing(data, base_id="qasrak")
    html = pdf.render_html(briefing, data, LANGUAGES["en"])
    assert html.count("No address recorded") == len(
        briefing.endnotes
    )  # the real sources have none yet


def test_every_font_is_embedded_and_vendored(qasrak_ar, mini_all):
    for path in (qasrak_ar, *mini_all):
        fonts = pdf_fonts(path)
        assert fonts
        for name, *_rest in fonts:
            assert name.split("+")[-1].startswith("Briefing-"), (
                f"{path.name}: unexpected font {name}"
            )
        for row in fonts:
            assert row[-5] == "yes", f"{path.name}: {row[0]} is not embedded"


def test_renders_are_byte_identical(data, qasrak_ar, out, mini, mini_all):
    again = out / "again.pdf"
    script = (
        "import sys; from pathlib import Path; from generator import pdf; from generator.validate import load_dataset;"
        "d, _ = load_dataset(Path('tests/fixtures/record-2025'));"
        "pdf.render_briefing(d, 'ar', Path(sys.argv[1]), base_id='qasrak', start='2025-08', end='2026-02',"
        " version='abc1234')"
    )
    subprocess.run([sys.executable, "-c", script, str(again)], cwd=ROOT, check=True)
    assert again.read_bytes() == qasrak_ar.read_bytes()
    # in-process, a second render writes nothing
    assert not pdf.render_briefing(
        data, "ar", qasrak_ar, base_id="qasrak", start="2025-08", end="2026-02", version="abc1234"
    )
    assert b"CreationDate" not in qasrak_ar.read_bytes()


# -- period ---------------------------------------------------------------------------------
def test_period_keeps_events_whose_dates_overlap_it(data):
    period = pdf.Period.parse("2025-08", "2026-02")
    found = ids(pdf.plan_briefing(data, base_id="qasrak", period=period))
    assert "2025-06-01-qasrak-near-daily-reinforcements" in found  # about June 2025 – 9 August 2025
    assert "2025-08-01-qasrak-airport-project-reported" in found  # August 2025, day unknown
    assert "2026-02-21-us-convoy-for-qasrak-evacuation" in found  # about 21 February 2026
    assert len(found) == 11

    autumn = ids(
        pdf.plan_briefing(data, base_id="qasrak", period=pdf.Period.parse("2025-09", "2026-01"))
    )
    assert "2025-11-01-hasakah-bases-air-defence-deliveries" in autumn  # about November 2025
    assert "2025-08-08-qasrak-intensive-air-activity" not in autumn
    assert "2026-02-21-qasrak-evacuation-begins" not in autumn


def test_period_bounds_are_inclusive_days(data):
    day = ids(
        pdf.plan_briefing(
            data, base_id="qasrak", period=pdf.Period.parse("2025-11-12", "2025-11-12")
        )
    )
    assert "2025-11-12-qasrak-truck-convoy" in day
    assert "2025-11-01-us-cargo-aircraft-land-at-hasakah-bases" in day  # 1–13 November 2025
    assert "2025-11-11-qasrak-exercise-with-fighter-jets" not in day
    assert "2025-11-13-qasrak-heavy-weapons-exercise" not in day


def test_on_or_before_counts_from_the_recorded_date(data):
    before = ids(pdf.plan_briefing(data, period=pdf.Period.parse(end="2025-12")))
    assert "2026-02-21-al-tanf-handover-to-defense-ministry" not in before
    after = ids(pdf.plan_briefing(data, period=pdf.Period.parse("2026-02")))
    assert "2026-02-21-al-tanf-handover-to-defense-ministry" in after
    assert "2025-11-13-palmyra-airport-visits" not in after


def test_period_in_the_pdf(data, out):
    path = out / "en" / "qasrak-day.pdf"
    pdf.render_briefing(data, "en", path, base_id="qasrak", start="2025-11-12", end="2025-11-12")
    text = " ".join(pdf_text(path).split())
    assert "12 November 2025 – 12 November 2025" in text
    assert "about 25 trucks" in text
    assert "Powerful blasts" not in text  # 13 November 2025
    assert "Status on 12 November 2025" in text


def test_status_is_taken_at_the_end_of_the_period(data):
    before = pdf.plan_briefing(data, base_id="qasrak", period=pdf.Period.parse(end="2026-01"))
    after = pdf.plan_briefing(data, base_id="qasrak", period=pdf.Period.parse(end="2026-02"))
    assert before.standings[0].status_id != after.standings[0].status_id
    assert after.standings[0].status_id == "evacuating"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025", None, "the period start '2025' is not a date"),
        (None, "2025-02-30", "the period end '2025-02-30' is not a date"),
        ("2026-01", "2025-12", "the period starts (2026-01) after it ends (2025-12)"),
    ],
)
def test_bad_periods_are_refused(start, end, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        pdf.Period.parse(start, end)


def test_a_period_without_events_says_so(data):
    briefing = pdf.plan_briefing(data, period=pdf.Period.parse("2024-01", "2024-02"))
    assert briefing.events == () and briefing.endnotes == () and briefing.cutoff is None
    html = pdf.render_html(briefing, data, LANGUAGES["en"])
    for text in (
        "No events recorded in this period.",
        "no information in this period",
        "No sources are cited in this period.",
        "Status on 29 February 2024",
    ):
        assert text in html


def test_unknown_base_is_refused(data, tmp_path):
    with pytest.raises(ValueError, match="no base 'nowhere'"):
        pdf.render_briefing(data, "en", tmp_path / "x.pdf", base_id="nowhere")


# -- content --------------------------------------------------------------------------------
def test_cover_states_period_cutoff_and_version(qasrak_ar, data):
    text = " ".join(pdf_text(qasrak_ar).split())
    assert "abc1234" in text  # a version given by the caller is shown
    fingerprint = pdf.plan_briefing(
        data, base_id="qasrak", period=pdf.Period.parse("2025-08", "2026-02")
    ).fingerprint
    assert re.fullmatch(r"[0-9a-f]{12}", fingerprint) and fingerprint in text  # and the data's
    briefing = pdf.plan_briefing(
        data, base_id="qasrak", period=pdf.Period.parse("2025-08", "2025-11"), version="v1"
    )
    html = pdf.render_html(briefing, data, LANGUAGES["en"])
    assert "August 2025 – November 2025" in html
    assert str(briefing.cutoff) == "2026-02-21"  # the base description cites the evacuation report
    assert "Information cutoff" in html and "21 February 2026" in html and "v1" in html


def test_endnotes_are_numbered_in_order_of_citation(mini):
    briefing = pdf.plan_briefing(mini, base_id="qasrak")
    assert [(n.number, n.source.id, n.relays) for n in briefing.endnotes] == [
        (1, "report-a", ()),
        (2, "report-b", (1,)),
    ]
    html = pdf.render_html(briefing, mini, LANGUAGES["en"])
    assert 'href="#src-report-b">[2]</a>' in html
    assert "reported range: about 25–100 trucks" in html  # the two claims disagree


def test_data_text_is_escaped(mini):
    event = mini.events[0]
    hostile = replace(
        event, summary=Text(en="<script>alert(1)</script> & {{ x }}", ar="نص <تجربة> & نص")
    )
    dataset = replace(mini, events=(hostile, *mini.events[1:]))
    html = pdf.render_html(pdf.plan_briefing(dataset), dataset, LANGUAGES["en"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ x }}" in html
    assert "<script>" not in html
    assert "نص &lt;تجربة&gt; &amp; نص" in pdf.render_html(
        pdf.plan_briefing(dataset), dataset, LANGUAGES["ar"]
    )


def test_charts_are_drawn_as_vector_graphics(data, out, tmp_path):
    svg = tmp_path / "charts" / "en" / "overview-status.svg"
    svg.parent.mkdir(parents=True)
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" viewBox="0 0 300 120">'
        '<path d="M10 110V20h40v90z" fill="#1f3a4d"/><path d="M70 110V60h40v50z" fill="#b35c00"/></svg>'
    )

    class Chart:  # as generator.charts.render_charts returns them: paths relative to out_dir
        path = "charts/en/overview-status.svg"
        title = "Bases by status"
        alt = "Bars of the number of bases in each status."

    charts = {
        **pdf.chart_figures(tmp_path, {"overview:status": Chart()}),
        "base:qasrak:activity": svg,
    }
    path = out / "en" / "briefing-charts.pdf"
    pdf.render_briefing(data, "en", path, charts=charts)
    text = words(pdf_text(path))
    assert "Bases by status" in text  # the short caption
    assert Chart.alt not in text  # the text alternative is the figure's, in the structure
    structure = subprocess.run(
        ["pdfinfo", "-struct", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Figure" in structure
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert len(images.splitlines()) == 2  # the header lines only: nothing was rasterised
    base = pdf.plan_briefing(data, base_id="qasrak", charts=charts)
    assert [c.key for c in base.charts] == ["base:qasrak:activity"]


def test_charts_are_printed_at_a_size_of_their_own(tmp_path):
    def chart(width: str, height: str) -> Path:
        svg = tmp_path / f"{width}x{height}.svg"
        svg.write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        )
        return svg

    wide = pdf.chart_size(chart("460.8pt", "213.84pt"))  # a site chart, 6.4 inches wide
    assert wide == (round(162.56 * pdf.CHART_SCALE, 1), round(75.44 * pdf.CHART_SCALE, 1))
    tall = pdf.chart_size(chart("460.8pt", "504pt"))  # the map: no taller than the limit
    assert tall[1] == pdf.CHART_MAX_HEIGHT_MM and tall[0] < wide[0]
    assert pdf.chart_size(chart("300", "120")) == (67.5, 27.0)  # px


def test_render_all_briefings_writes_every_base_and_language(mini_all, mini, out):
    root = out / "mini"
    expected = [
        root / code / name
        for code in ("en", "ar")
        for name in ("al-tanf.pdf", "qasrak.pdf", "briefing.pdf", f"briefings/{WRITTEN['id']}.pdf")
    ]
    assert mini_all == expected
    assert all(p.stat().st_size > 0 for p in expected)


def test_network_urls_are_refused(tmp_path):
    fetcher = pdf.LocalFiles([tmp_path])
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/font.ttf")
    with pytest.raises(ValueError):
        fetcher.fetch((ROOT / "pyproject.toml").as_uri())


def test_data_version(tmp_path):
    version = pdf.data_version(ROOT)
    if shutil.which("git") and (ROOT / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{4,40}(\+modified)?", version)
    assert pdf.data_version(tmp_path) is None


@pytest.mark.parametrize("topic", ["pdf", "pdf_scale"])
def test_strings_exist_in_both_languages(topic):
    catalogs = {}
    for code in LANGUAGES:
        path = ROOT / "templates" / "i18n" / f"{topic}.{code}.yaml"
        catalogs[code] = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert all(key.startswith("pdf.") for key in catalogs[code])
    assert catalogs["en"].keys() == catalogs["ar"].keys()


# -- the data fingerprint on the cover ----------------------------------------------------------
def test_the_fingerprint_depends_only_on_the_records_of_the_briefing(mini):
    def fingerprint(dataset, base_id=None):
        return pdf.plan_briefing(dataset, base_id=base_id).fingerprint

    edited = with_summary(mini, "2025-11-12-qasrak-convoy", "A different summary.")
    assert fingerprint(edited, "qasrak") != fingerprint(mini, "qasrak")
    assert fingerprint(edited) != fingerprint(mini)  # the overall briefing holds the event too
    assert fingerprint(edited, "al-tanf") == fingerprint(mini, "al-tanf")


def test_the_fingerprint_is_the_same_in_both_languages_and_replaces_the_commit(mini):
    briefing = pdf.plan_briefing(mini, base_id="qasrak")
    html = {code: pdf.render_html(briefing, mini, lang) for code, lang in LANGUAGES.items()}
    assert briefing.fingerprint in html["en"] and briefing.fingerprint in html["ar"]
    assert "Data fingerprint" in html["en"] and "Data version" not in html["en"]


# -- the overall briefing of a long record -------------------------------------------------------
def test_a_short_record_keeps_its_whole_record_in_the_overall_briefing(data):
    assert len(data.events) <= pdf.WHOLE_RECORD_LIMIT
    briefing = pdf.plan_briefing(data)
    assert briefing.period == pdf.Period() and not briefing.recent_only
    assert len(briefing.events) == len(data.events)


def test_the_overall_briefing_of_a_long_record_covers_its_last_months(long_record, out):
    briefing = pdf.plan_briefing(long_record)
    cutoff = derive.information_cutoff(long_record)
    assert briefing.recent_only and briefing.period.last_day == cutoff
    assert (cutoff - briefing.period.first_day).days in range(89, 93)  # three months
    assert 0 < len(briefing.events) < len(long_record.events) / 4
    assert all(briefing.period.includes(e) for e in briefing.events)
    assert len(briefing.standings) == len(long_record.bases)  # and every base's status

    path = out / "long" / "en" / "briefing.pdf"
    pdf.render_briefing(long_record, "en", path)
    cover = words(pdf_text(path, page=1))
    day = LANGUAGES["en"].day
    period = f"{day(briefing.period.first_day)} – {day(cutoff)}"
    assert f"Period covered {period} the latest months of the record" in cover


def test_the_briefing_on_a_base_with_a_short_record_keeps_it_whole(data):
    for base_id in data.bases:
        assert len(data.events_of_base(base_id)) <= pdf.BASE_WHOLE_RECORD_LIMIT
        briefing = pdf.plan_briefing(data, base_id=base_id)
        assert briefing.period == pdf.Period() and not briefing.recent_only
        assert len(briefing.events) == len(data.events_of_base(base_id))


def test_the_briefing_on_a_base_with_a_long_record_covers_its_last_months(long_record, out):
    base_events = long_record.events_of_base("base-000")
    assert len(base_events) > pdf.BASE_WHOLE_RECORD_LIMIT
    briefing = pdf.plan_briefing(long_record, base_id="base-000")
    cutoff = briefing.cutoff  # the base's own: its latest event or report
    assert cutoff == max(
        [e.end or e.date.anchor for e in base_events]
        + [long_record.sources[s].published.anchor for e in base_events for s in e.sources]
    )
    assert briefing.recent_only and briefing.period.last_day == cutoff
    assert (cutoff - briefing.period.first_day).days in range(364, 367)  # twelve months
    assert 0 < len(briefing.events) < len(base_events)
    assert all(briefing.period.includes(e) for e in briefing.events)

    # news from another base, later than anything at this one, changes nothing here
    other = max(long_record.events_of_base("base-001"), key=lambda e: e.sort_key)
    later = replace(other, id=f"{other.id}-later", date=FuzzyDate("2031-01-01", "day"))
    grown = replace(long_record, events=(*long_record.events, later))
    assert pdf.plan_briefing(grown, base_id="base-000").fingerprint == briefing.fingerprint

    path = out / "long" / "ar" / "base-000.pdf"
    pdf.render_briefing(long_record, "ar", path, base_id="base-000")
    cover = words(pdf_text(path, page=1))
    assert "وتعرض صفحتها على الموقع كل أحداثها" in cover


def test_an_edit_outside_the_period_leaves_the_briefings_alone(long_record):
    oldest = min(long_record.events, key=lambda e: e.sort_key)
    edited = with_summary(long_record, oldest.id, "Rewritten long after.")
    before, after = pdf.plan_briefing(long_record), pdf.plan_briefing(edited)
    assert oldest.id not in ids(before)
    assert before.fingerprint == after.fingerprint
    english = LANGUAGES["en"]
    assert pdf.render_html(before, long_record, english) == pdf.render_html(after, edited, english)
    base = oldest.bases[0]  # its briefing covers its last months too
    fingerprint = pdf.plan_briefing(long_record, base_id=base).fingerprint
    assert pdf.plan_briefing(edited, base_id=base).fingerprint == fingerprint
    newest = max(long_record.events_of_base(base), key=lambda e: e.sort_key)
    edited = with_summary(long_record, newest.id, "Rewritten at once.")
    assert pdf.plan_briefing(edited, base_id=base).fingerprint != fingerprint


# -- every briefing: in parallel, and only what changed ----------------------------------------
def test_parallel_output_is_the_same_as_serial(mini, mini_all, out, tmp_path, monkeypatch):
    parallel = mini_all  # laid out by worker processes
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    serial = pdf.render_all_briefings(mini, tmp_path)
    assert [p.relative_to(tmp_path) for p in serial] == [
        p.relative_to(out / "mini") for p in parallel
    ]
    for one, other in zip(serial, parallel):
        assert one.read_bytes() == other.read_bytes(), one.name


def cached_pdfs(cache_dir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (cache_dir / "pdf").iterdir()}


def test_a_second_run_with_a_cache_lays_out_nothing_and_leaves_the_files_alone(
    mini, mini_all, mini_cache, tmp_path
):
    cache = warm_cache(mini_cache, tmp_path)
    paths = pdf.render_all_briefings(mini, tmp_path / "pdf", cache=cache)
    assert len(paths) == len(cached_pdfs(tmp_path / "cache")) == 8
    before = mtimes(paths)
    assert pdf.render_all_briefings(mini, tmp_path / "pdf", cache=cache) == paths
    assert mtimes(paths) == before
    assert len(cached_pdfs(tmp_path / "cache")) == 8

    lost = paths[0]  # and a lost output comes back from the cache
    content = lost.read_bytes()
    lost.unlink()
    pdf.render_all_briefings(mini, tmp_path / "pdf", cache=cache)
    assert lost.read_bytes() == content


def test_an_edited_event_lays_out_again_only_the_briefings_that_hold_it(
    mini, mini_all, mini_cache, tmp_path
):
    cache = warm_cache(mini_cache, tmp_path)
    paths = pdf.render_all_briefings(mini, tmp_path / "pdf", cache=cache)
    before, cached = mtimes(paths), set(cached_pdfs(tmp_path / "cache"))
    edited = with_summary(mini, "2025-11-12-qasrak-convoy", "A convoy of trucks, as corrected.")
    again = pdf.render_all_briefings(edited, tmp_path / "pdf", cache=cache)
    assert len(set(cached_pdfs(tmp_path / "cache")) - cached) == 6  # laid out anew
    changed = {
        *(f"{code}/{name}.pdf" for code in ("en", "ar") for name in ("qasrak", "briefing")),
        written_path("en"),  # the written briefing's period holds the event
        written_path("ar"),
    }
    changed_paths = (p for p in again if p.stat().st_mtime_ns != before[p])
    assert names(changed_paths, tmp_path / "pdf") == changed
    assert "as corrected" in pdf_text(tmp_path / "pdf" / "en" / "qasrak.pdf")


# -- the site's print stylesheet ----------------------------------------------------------------
def test_print_stylesheet_hides_chrome_and_writes_out_links(tmp_path):
    from weasyprint import CSS, HTML

    page = (
        '<html lang="en"><body><header class="md-header">SITE HEADER</header>'
        '<nav class="md-tabs">TABS</nav><div class="md-container"><main class="md-main">'
        '<div class="md-sidebar md-sidebar--primary">NAVIGATION</div><article class="md-content">'
        '<p>Report: <a class="bf-external" href="https://example.org/report-a">Read the original</a></p>'
        '</article></main></div><footer class="md-footer">FOOTER</footer></body></html>'
    )
    stylesheet = CSS(filename=str(ROOT / "docs" / "assets" / "stylesheets" / "print.css"))
    target = tmp_path / "page.pdf"
    HTML(string=page).write_pdf(target, stylesheets=[stylesheet])
    text = pdf_text(target)
    assert "Read the original (https://example.org/report-a)" in " ".join(text.split())
    for chrome in ("SITE HEADER", "TABS", "NAVIGATION", "FOOTER"):
        assert chrome not in text
    info = subprocess.run(
        ["pdfinfo", str(target)], capture_output=True, text=True, check=True
    ).stdout
    assert "(A4)" in info and re.search(r"Pages:\s+1\b", info)


def test_a_chart_prints_its_texts_as_text_where_its_drawing_draws_them(data, tmp_path):
    """A briefing prints a chart's drawing without its texts and sets them as text where the
    drawing drew them (charts.print_texts), which WeasyPrint lays out several times faster
    than glyph outlines. Printed both ways, the pages must look the same: no 16-pixel square
    (150 dpi) holds more than 16 inked pixels that have no ink within a pixel in the other
    print (glyph edges are antialiased differently; one missing digit is 25 or more), the
    words the PDF's text has beyond the other's are the charts' words, and the drawings' own
    texts are left out (the PDF is smaller by their outlines)."""
    import matplotlib.image
    import numpy as np

    from generator import charts
    from generator.write import write_tree

    def inked(path: Path, page: int):
        png = path.with_name(f"{path.stem}-{page}")
        pages = ["-f", str(page), "-l", str(page)]
        subprocess.run(
            ["pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", *pages, path, png], check=True
        )
        pixels = matplotlib.image.imread(png.with_suffix(".png"))
        return (pixels[..., 0] if pixels.ndim == 3 else pixels) < 0.5

    def word_counts(path: Path) -> Counter:
        return Counter(filter(None, (letters(w) for w in pdf_text(path).split())))

    def near(ink):  # inked pixels and their eight neighbours
        grown = ink.copy()
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                grown |= np.roll(np.roll(ink, dy, 0), dx, 1)
        return grown

    plans = [
        plan
        for lang in LANGUAGES
        for plan in charts.plan_charts(data, lang)
        if plan.chart.key.startswith("base:qasrak:")
    ]
    write_tree(tmp_path / "charts", charts.draw_charts(plans, OutputCache(None)))
    texts = charts.print_texts(plans, OutputCache(None))
    by_lang = charts.charts_by_language(plans)
    for lang in LANGUAGES:
        printed = {}
        for name, given in (("drawn", None), ("set", texts)):
            figures = pdf.chart_figures(tmp_path / "charts", by_lang[lang], given)
            printed[name] = tmp_path / f"{lang}-{name}.pdf"
            pdf.render_briefing(data, lang, printed[name], base_id="qasrak", charts=figures)
        own = [text for chart in by_lang[lang].values() for text in texts[chart.path]]
        assert len(own) > 40, "the charts have texts to set"
        # the words the set print has beyond the drawn one's are the charts' words
        extra = word_counts(printed["set"]) - word_counts(printed["drawn"])
        own_words = Counter(filter(None, (letters(w) for t in own for w in t.text.split())))
        assert own_words - extra == Counter()
        for chart in by_lang[lang].values():
            svg = (tmp_path / "charts" / chart.path).read_text(encoding="utf-8")
            assert 'id="text-' in svg and 'id="text-' not in pdf.without_texts(svg)
        sizes = {name: path.stat().st_size for name, path in printed.items()}
        assert sizes["set"] < 0.9 * sizes["drawn"], f"the drawn texts were left in: {sizes}"
        pages = int(pdf_info(printed["set"])["Pages"])
        assert pages == int(pdf_info(printed["drawn"])["Pages"])
        worst = 0
        for page in range(1, pages + 1):
            drawn, set_ = inked(printed["drawn"], page), inked(printed["set"], page)
            astray = (drawn & ~near(set_)) | (set_ & ~near(drawn))
            h, w = (length // 16 * 16 for length in astray.shape)
            squares = astray[:h, :w].reshape(h // 16, 16, w // 16, 16).sum(axis=(1, 3))
            worst = max(worst, int(squares.max()))
        assert worst <= 16, (lang, worst)


def test_charts_print_the_same_with_their_glyphs_drawn_in_place(data, tmp_path):
    """Briefings draw each glyph and marker of a chart where it is placed
    (pdf.inline_glyphs), which WeasyPrint lays out faster than a <use> of one definition: the
    printed page must not change by a pixel."""
    from weasyprint import HTML

    from generator import charts
    from generator.drawing import draw_svg

    pages = {}
    for lang in ("en", "ar"):
        plan = next(
            p for p in charts.plan_charts(data, lang) if p.chart.key == "base:qasrak:figures"
        )
        drawn = tmp_path / f"{lang}.svg"
        drawn.write_bytes(draw_svg(plan))
        svg = drawn.read_text(encoding="utf-8")
        inlined = pdf.inline_glyphs(svg)
        assert svg.count("<use") > 100 and inlined.count("<use") == 0, "all drawn in place"
        assert inlined.count("<path") > svg.count("<path") + 100
        for name, fetcher in (("as-drawn", None), ("inlined", pdf.LocalFiles([drawn]))):
            page = f'<img src="{drawn.as_uri()}" style="width: 16cm">'
            options = {"url_fetcher": fetcher} if fetcher else {}
            HTML(string=page, **options).write_pdf(tmp_path / f"{lang}-{name}.pdf")
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "150",
                    "-png",
                    "-singlefile",
                    tmp_path / f"{lang}-{name}.pdf",
                    tmp_path / f"{lang}-{name}",
                ],
                check=True,
            )
            pages[lang, name] = (tmp_path / f"{lang}-{name}.png").read_bytes()
        assert pages[lang, "as-drawn"] == pages[lang, "inlined"], lang
