"""Imported once by the forkserver that report renders fork from (see `reports.pdf`).

Importing WeasyPrint takes about a second and its first layout loads fonts; doing both here,
once, lets every forked render start warm. Nothing here touches Django's settings or database.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from reports.pdf import write_pdf

_STATIC = Path(__file__).resolve().parent.parent / "static"
_WARM_UP = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Warm-up</title>'
    '<link rel="stylesheet" href="css/report.css"></head>'
    "<body><h1>Warm-up</h1><p>Fonts and layout, loaded once.</p></body></html>"
)

# A failed warm-up only makes the first render slower; it must not stop the fork server.
with contextlib.suppress(Exception):
    write_pdf(_WARM_UP, _STATIC)
