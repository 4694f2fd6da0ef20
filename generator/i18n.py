"""Languages, text direction, Babel formatting and the interface string tables.

Everything language-specific goes through here: templates get a `Language` and never
decide on month names, digits or direction themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from generator.models import FuzzyDate

CATALOG_DIR = Path(__file__).parent.parent / "templates" / "i18n"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# A run of Latin letters, digits and the punctuation that stays inside names and codes.
_WORD = r"[A-Za-z0-9](?:[A-Za-z0-9'’&./\-]*[A-Za-z0-9])?"
# A run starts at a word that holds a Latin letter (M4, 2025-11-01-qasrak), not at a bare number.
LATIN_RUN = re.compile(rf"(?=[A-Za-z0-9'’&./\-]*[A-Za-z]){_WORD}(?: {_WORD})*")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    direction: str
    babel_locale: str
    # Arabic-Indic digits (٠١٢) or Western digits (012) in Arabic pages: the seed sources,
    # like most Syrian outlets online, write Western digits. Change it here only.
    arabic_indic_digits: bool = False

    @property
    def locale(self) -> Locale:
        return _locale(self.babel_locale)

    @property
    def other(self) -> str:
        return "ar" if self.code == "en" else "en"

    def digits(self, text: str) -> str:
        return text.translate(ARABIC_INDIC) if self.arabic_indic_digits else text

    # -- strings --------------------------------------------------------------------
    def t(self, key: str, **values: object) -> str:
        """The interface string `key`, with {placeholders} filled in."""
        template = catalog(self.code)[key]
        if isinstance(template, dict):
            raise KeyError(f"{key} is a counted phrase: use count()")
        return template.format(**values) if values else template

    @cache  # formatting repeats for every page and chart: Babel is slow
    def count(self, key: str, n: int) -> str:
        """A counted phrase in the right plural form: '25 events', '٣ أحداث'."""
        forms = catalog(self.code)[key]
        form = forms.get(self.locale.plural_form(n)) or forms["other"]
        return form.format(n=self.number(n))

    @cache
    def amount(self, low: int, high: int, qualifier: str = "exact") -> str:
        """'about 25', 'more than 20', '25–100': a reported figure without its unit."""
        number = (
            self.number(low)
            if low == high
            else self.t("figure.range", low=self.number(low), high=self.number(high))
        )
        return self.t(f"qualifier.{qualifier}", n=number)

    def qualified_range(self, low: int, low_q: str, high: int, high_q: str) -> str:
        """A range whose ends keep their own qualifiers: 'more than 20–about 100'."""
        if low == high and low_q == high_q:
            return self.amount(low, high, low_q)
        if low_q == high_q:
            return self.amount(low, high, low_q)
        return self.t(
            "figure.range",
            low=self.t(f"qualifier.{low_q}", n=self.number(low)),
            high=self.t(f"qualifier.{high_q}", n=self.number(high)),
        )

    def territory(self, code: str) -> str:
        """A country's name in this language ('JO' -> 'Jordan', 'الأردن')."""
        return _locale(self.babel_locale).territories.get(code, code)

    def quote(self, text: str) -> str:
        """A quotation in this language's marks."""
        return self.t("quote", text=text)

    def plural(self, forms: dict[str, str], n: int) -> str:
        return forms.get(self.locale.plural_form(n)) or forms["other"]

    # -- numbers and dates ------------------------------------------------------------
    @cache
    def number(self, value: float) -> str:
        return self.digits(format_decimal(value, locale=self.babel_locale))

    @cache
    def day(self, value: date) -> str:
        return self.digits(format_date(value, "d MMMM y", locale=self.babel_locale))

    @cache
    def month(self, value: date) -> str:
        return self.digits(format_date(value, "MMMM y", locale=self.babel_locale))

    @cache
    def month_short(self, value: date) -> str:
        return self.digits(format_date(value, "MMM", locale=self.babel_locale))

    @cache
    def fuzzy_date(self, when: FuzzyDate, end: str | None = None) -> str:
        """A date as precise as it is known: '12 November 2025', 'November 2025',
        'about June 2025', 'on or before 21 February 2026', '1–13 November 2025'."""
        text = self.day(when.anchor) if when.has_day else self.month(when.anchor)
        if end:
            end_day = FuzzyDate(end, "day").anchor
            start = when.anchor
            if when.has_day and (start.year, start.month) == (end_day.year, end_day.month):
                text = self.digits(f"{start.day}–") + self.day(end_day)
            else:
                text = self.t("date.range", start=text, end=self.day(end_day))
        if when.precision == "approximate":
            return self.t("date.about", date=text)
        if when.precision == "before":
            return self.t("date.before", date=text)
        return text

    def precision_note(self, when: FuzzyDate) -> str:
        return self.t(f"date.precision.{when.precision}")

    # -- direction --------------------------------------------------------------------
    def isolate(self, text: str) -> Markup:
        """Escaped text in which runs of the other script keep their own direction.

        In Arabic text, Latin names and codes (M4, SDF, CENTCOM) are wrapped in <bdi> so that
        neighbouring punctuation and numbers stay in the right order.
        """
        if self.direction != "rtl":
            return Markup(escape(text))
        parts: list[str] = []
        last = 0
        for match in LATIN_RUN.finditer(text):
            parts.append(str(escape(text[last : match.start()])))
            parts.append(f'<bdi dir="ltr">{escape(match.group())}</bdi>')
            last = match.end()
        parts.append(str(escape(text[last:])))
        return Markup("".join(parts))


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", "ltr", "en"),
    # ar_SY: Levantine month names (تشرين الثاني, آب) as used by Syrian outlets.
    "ar": Language("ar", "العربية", "rtl", "ar_SY"),
}


@cache
def _locale(identifier: str) -> Locale:
    return Locale.parse(identifier)


@cache
def catalog(code: str) -> dict[str, object]:
    """The strings of one language: `<code>.yaml` plus topic files `<topic>.<code>.yaml`."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    strings: dict[str, object] = {}
    paths = [CATALOG_DIR / f"{code}.yaml", *sorted(CATALOG_DIR.glob(f"*.{code}.yaml"))]
    for path in paths:
        for key, value in (
            yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        ).items():
            if key in strings:
                raise ValueError(f"{path.name}: string {key!r} is defined twice")
            strings[key] = value
    return strings
