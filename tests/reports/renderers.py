"""Stand-ins for `reports.pdf.write_pdf` that run in the renderer's child process.

The child imports them by name, so they live in a module with no Django import; tests put
one in place with `monkeypatch.setattr(pdf, "write_pdf", renderers.<name>)`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PID_FILE_MARK = "pid-file:"


def _note_pid(html: str) -> None:
    """Write this process's id where the HTML says, so a test can check the process is gone."""
    if html.startswith(PID_FILE_MARK):
        Path(html.removeprefix(PID_FILE_MARK)).write_text(str(os.getpid()))


def broken(html: str, root: Path) -> bytes:
    _note_pid(html)
    raise ValueError("WeasyPrint could not lay out the document (a stand-in failure)")


def dies(html: str, root: Path) -> bytes:
    _note_pid(html)
    os._exit(3)


def slow(html: str, root: Path) -> bytes:
    """A render that would take ten minutes."""
    _note_pid(html)
    time.sleep(600)
    return b"%PDF-1.7\n% never reached\n"


def quick(html: str, root: Path) -> bytes:
    _note_pid(html)
    return b"%PDF-1.7\n% quick stand-in\n"
