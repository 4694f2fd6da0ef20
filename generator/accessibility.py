"""Small repairs to the theme's markup that accessibility checkers (axe-core) ask for."""

from __future__ import annotations

import re

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
SEARCH_LABEL = re.compile(r'class="md-search__input" name="query" aria-label="([^"]*)"')


def name_search_dialog(html: str) -> str:
    """Material's search dialog has no accessible name: give it the search field's label."""
    label = SEARCH_LABEL.search(html)
    if not label:
        return html
    named = SEARCH_DIALOG.replace('role="dialog"', f'role="dialog" aria-label="{label.group(1)}"')
    return html.replace(SEARCH_DIALOG, named, 1)
