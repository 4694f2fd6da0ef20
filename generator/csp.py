"""A Content-Security-Policy for every page: only the site's own origin may provide scripts,
styles, fonts and images. Material's small inline scripts are allowed by their hashes, which
are computed per page (they differ with the page's depth)."""

from __future__ import annotations

import base64
import hashlib
import re

INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>(.*?)</script>", re.S
)


def policy(script_hashes: list[str], wasm: bool = False) -> str:
    """`wasm`: the page compiles WebAssembly (the Search page: Pagefind's engine)."""
    allowed = ["'self'", *(["'wasm-unsafe-eval'"] if wasm else [])]
    scripts = " ".join([*allowed, *(f"'sha256-{h}'" for h in script_hashes)])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'"
    )


def add_content_security_policy(html: str, wasm: bool = False) -> str:
    hashes = sorted(
        {
            base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
            for body in INLINE_SCRIPT.findall(html)
        }
    )
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(hashes, wasm)}">'
    return html.replace("<head>", "<head>\n    " + meta, 1)
