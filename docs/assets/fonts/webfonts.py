"""Make the web fonts: WOFF2 subsets of the vendored TTFs and the stylesheet declaring them.

Subsets are cut by Unicode blocks, not by the characters of today's data, so new text in
Latin or Arabic script never falls outside them, and keep the OpenType layout features that
browsers apply (Arabic joins its letters and places its marks with them). Each face declares
the characters it holds as its `unicode-range`, so a browser downloads a file only when a
page shows one of them: Latin Extended only for a page with such a letter, Naskh (the Arabic
of printed pages) only when printing.

    python docs/assets/fonts/webfonts.py           # write the WOFF2 files and fonts.css
    python docs/assets/fonts/webfonts.py --check   # exit 1 if they differ from the TTFs

The TTFs stay: the PDFs and charts read them from this folder.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = Path(__file__).parent
STYLESHEET = FONTS.parent / "stylesheets" / "fonts.css"

# Each family is cut into parts; a part leaves out what an earlier part of its family holds.
# Latin as most pages need it: ASCII, Latin-1, Latin Extended-A (Turkish titles among the
# sources), Romanian's comma letters, the transliteration marks for hamza and ʿayn.
LATIN = [
    (0x0000, 0x017F),
    (0x0218, 0x021B),
    (0x02BB, 0x02BF),
    (0x02C6, 0x02C6),
    (0x02DA, 0x02DA),
    (0x02DC, 0x02DC),
    (0x20AC, 0x20AC),
    (0x2122, 0x2122),
    (0xFEFF, 0xFEFF),
    (0xFFFD, 0xFFFD),
]
# Dashes, quotation marks, the ellipsis: Arabic pages need them, often in bold (Material's
# header ends a long title with an ellipsis), without the Latin letters.
PUNCTUATION = [(0x2000, 0x206F)]
# The rest of the Latin script: accented letters of other languages, dotted transliteration
# (ḥ, ṣ, ṭ), combining marks (the data is NFC, so they come alone), currency, number forms.
LATIN_EXT = [
    (0x0180, 0x036F),
    (0x1E00, 0x1EFF),
    (0x20A0, 0x20CF),
    (0x2100, 0x218F),
    (0x25CC, 0x25CC),
    (0x2C60, 0x2C7F),
    (0xA720, 0xA7FF),
]
# Arabic as Arabic pages need it, with the joiners and direction marks and the digits and
# punctuation that the Arabic fonts draw to match their letters.
ARABIC = [
    (0x0020, 0x0021),
    (0x002C, 0x002E),
    (0x0030, 0x003A),
    (0x00A0, 0x00A0),
    (0x00AB, 0x00AB),
    (0x00BB, 0x00BB),
    (0x0600, 0x06FF),
    (0x200B, 0x2011),
    (0x204F, 0x204F),
    (0x25CC, 0x25CC),
    (0x2E41, 0x2E41),
]
# The letters of other languages written in Arabic script, and the presentation forms that
# text copied from PDFs carries.
ARABIC_EXT = [(0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]

FAMILIES = {
    "Noto Sans": [("latin", LATIN), ("punctuation", PUNCTUATION), ("latin-ext", LATIN_EXT)],
    "Noto Sans Arabic": [("arabic", ARABIC), ("arabic-ext", ARABIC_EXT)],
    "Noto Naskh Arabic": [("arabic", ARABIC), ("arabic-ext", ARABIC_EXT)],
}
# The layout features a browser applies by itself: fontTools' default set (Arabic joining
# forms and required ligatures, marks, kerning, ligatures, local forms). Left out: what only a
# style sheet would ask for (discretionary ligatures, figure styles, small capitals, stylistic
# sets; none of ours does) and the alternates a font editor offers; they would add half again
# to the size. The Arabic of every page is drawn pixel for pixel as with all the features.
LAYOUT_FEATURES = subset.Options().layout_features
WEIGHTS = {400: "Regular", 700: "Bold"}


def expand(ranges: list[tuple[int, int]]) -> frozenset[int]:
    return frozenset(c for low, high in ranges for c in range(low, high + 1))


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    part: str  # the name of the subset, in the file name
    unicodes: frozenset[int]

    @property
    def source(self) -> str:
        """The TTF in this folder."""
        return f"{self.family.replace(' ', '')}-{WEIGHTS[self.weight]}.ttf"

    @property
    def file(self) -> str:
        return f"{self.source.removesuffix('.ttf')}.{self.part}.woff2"


def _faces() -> list[Face]:
    faces = []
    for weight in WEIGHTS:
        for family, parts in FAMILIES.items():
            held: frozenset[int] = frozenset()
            for part, ranges in parts:
                faces.append(Face(family, weight, part, expand(ranges) - held))
                held |= expand(ranges)
    return faces


FACES = _faces()


def make_subset(face: Face) -> TTFont:
    """The face's characters from its TTF, with LAYOUT_FEATURES, without hinting (it would add
    a third to the size; browsers draw unhinted outlines well)."""
    options = subset.Options()
    options.layout_features = LAYOUT_FEATURES
    options.hinting = False
    # the file's bytes depend only on the TTF and the ranges, not on the day it was made
    font = TTFont(FONTS / face.source, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(face.unicodes))
    subsetter.subset(font)
    font.flavor = "woff2"
    return font


def unicode_range(codepoints: set[int]) -> str:
    """'U+20-21, U+2C-2E, ...': the characters a face holds, as CSS wants them."""
    runs: list[list[int]] = []
    for c in sorted(codepoints):
        if runs and c == runs[-1][1] + 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def coverage(face: Face) -> set[int]:
    """The characters of the face's ranges that its TTF has: what its subset holds."""
    return set(TTFont(FONTS / face.source, lazy=True).getBestCmap()) & face.unicodes


def layout_features(font: TTFont) -> set[str]:
    return {
        f"{table}:{record.FeatureTag}"
        for table in ("GSUB", "GPOS")
        if table in font
        for record in font[table].table.FeatureList.FeatureRecord
    }


def stylesheet() -> str:
    rules = ["/* Made by docs/assets/fonts/webfonts.py from the TTFs beside it: do not edit. */\n"]
    for face in FACES:
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
            f'font-display: swap; src: url("../fonts/{face.file}") format("woff2"); '
            f"unicode-range: {unicode_range(coverage(face))}; }}\n"
        )
    return "".join(rules)


def stale() -> list[str]:
    """What differs between the committed web fonts and what this script makes from the TTFs:
    a face's characters or layout features, or the stylesheet. (Not the bytes, which change
    with the versions of fontTools and brotli while the fonts stay the same.)"""
    found = []
    for face in FACES:
        path = FONTS / face.file
        if not path.exists():
            found.append(f"{face.file}: missing")
            continue
        committed, made = TTFont(path), make_subset(face)
        if set(committed.getBestCmap()) != set(made.getBestCmap()):
            found.append(f"{face.file}: not the characters of {face.source} in its ranges")
        if layout_features(committed) != layout_features(made):
            found.append(f"{face.file}: not the layout features of {face.source}")
    if not STYLESHEET.exists() or STYLESHEET.read_text(encoding="utf-8") != stylesheet():
        found.append(f"{STYLESHEET.name}: not the faces' declarations")
    return found


def write() -> None:
    for face in FACES:
        make_subset(face).save(FONTS / face.file)
        print(f"{face.file}: {(FONTS / face.file).stat().st_size:,} bytes")
    STYLESHEET.write_text(stylesheet(), encoding="utf-8")


def main(argv: list[str]) -> int:
    if "--check" in argv:
        problems = stale()
        for problem in problems:
            print(f"{problem}; run `make webfonts`", file=sys.stderr)
        return 1 if problems else 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
