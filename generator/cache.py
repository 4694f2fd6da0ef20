"""The build cache: expensive outputs (chart SVGs, PDFs) kept under a hash of what made them.

Every key holds `code_version()`, a hash of all files of the generator package, the
templates, the vendored fonts and the locked dependency versions, so no entry made by other
code is ever used: deleting `.cache/` (or $BRIEFING_CACHE) changes nothing but time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from generator.parallel import parallel_map

ROOT = Path(__file__).parent.parent
PACKAGE = Path(__file__).parent
# What the outputs are made by, besides the inputs each key names.
CODE = (PACKAGE, ROOT / "templates", ROOT / "docs" / "assets" / "fonts", ROOT / "data" / "geo")
CODE += (ROOT / "requirements.lock",)
KEPT_UNUSED_DAYS = 14  # entries no build has used for this long are deleted


def digest(*parts: str | bytes) -> str:
    """A hash of several parts, told apart by their lengths (so ab|c differs from a|bc)."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(b"%d:" % len(data))
        hasher.update(data)
    return hasher.hexdigest()


def _code_files() -> list[Path]:
    files: list[Path] = []
    for place in CODE:
        found = place.rglob("*") if place.is_dir() else [place]
        files += [p for p in found if p.is_file() and "__pycache__" not in p.parts]
    return sorted(files)


@cache
def code_version() -> str:
    """The hash of every file in CODE, names and bytes."""
    parts: list[str | bytes] = []
    for path in _code_files():
        parts += [path.relative_to(ROOT).as_posix(), path.read_bytes()]
    return digest(*parts)


def cache_root() -> Path:
    return Path(os.environ.get("BRIEFING_CACHE") or ROOT / ".cache")


class OutputCache:
    """Files of bytes under `root/<kind>/`, named by the hash of their inputs and the code.
    Without a root nothing is kept: everything is made every time."""

    def __init__(self, root: Path | None):
        self.root = root

    def key(self, *inputs: str | bytes) -> str:
        return digest(code_version(), *inputs)

    def get(self, kind: str, key: str) -> bytes | None:
        if self.root is None:
            return None
        path = self.root / kind / key
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):  # a read-only cache is still read
            os.utime(path)  # used now: see prune
        return data

    def put(self, kind: str, key: str, data: bytes) -> None:
        if self.root is None:
            return
        path = self.root / kind / key
        tmp = path.with_name(f".{key}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:  # a read-only or full disk: the cache only saves time
            tmp.unlink(missing_ok=True)

    def get_or_make(
        self, kind: str, wanted: dict[str, object], make: Callable[[object], bytes]
    ) -> dict[str, bytes]:
        """The bytes of each key of `wanted`, making the missing ones with make(input) in
        worker processes."""
        made = self.get_or_make_together((kind,), wanted, lambda item: (make(item),))
        return {key: data for key, (data,) in made.items()}

    def get_or_make_together(
        self,
        kinds: tuple[str, ...],
        wanted: dict[str, object],
        make: Callable[[object], tuple[bytes, ...]],
    ) -> dict[str, tuple[bytes, ...]]:
        """Outputs of several kinds made by one piece of work (a chart's SVG and its texts):
        for each key of `wanted`, its bytes of each kind. Where any is missing, make(input)
        makes them all, in worker processes."""
        found = {key: tuple(self.get(kind, key) for kind in kinds) for key in wanted}
        missing = [key for key, outputs in found.items() if None in outputs]
        for key, outputs in zip(missing, parallel_map(make, [wanted[k] for k in missing])):
            for kind, data in zip(kinds, outputs, strict=True):
                self.put(kind, key, data)
            found[key] = outputs
        return found  # type: ignore[return-value]

    def prune(self, kinds: Iterable[str], now: float | None = None) -> list[Path]:
        """Delete entries no build has used for KEPT_UNUSED_DAYS: outputs of data or code
        that has since changed would otherwise stay on disk for good."""
        limit = (now if now is not None else time.time()) - KEPT_UNUSED_DAYS * 86400
        removed: list[Path] = []
        if self.root is None:
            return removed
        for kind in kinds:
            for path in sorted((self.root / kind).glob("*")):
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime < limit:
                        path.unlink()
                        removed.append(path)
        return removed
