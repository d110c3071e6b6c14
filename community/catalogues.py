"""Compiling the translation catalogues without GNU gettext.

Django reads compiled catalogues (.mo); the repository keeps only the sources (.po). Django's own
`compilemessages` needs gettext's `msgfmt`, which a fresh machine may lack, so `make run` and
`make test` compile with polib (pure Python) instead.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings


def catalogue_sources() -> list[Path]:
    return sorted(
        path for root in settings.LOCALE_PATHS for path in Path(root).glob("*/LC_MESSAGES/*.po")
    )


def catalogues_compile(*, force: bool = False) -> list[Path]:
    """Compile every .po under LOCALE_PATHS whose .mo is missing or older; the .mo files made.
    Fuzzy and untranslated entries are left out, as msgfmt leaves them."""
    made = []
    for source in catalogue_sources():
        target = source.with_suffix(".mo")
        if not force and target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(source))
        for entry in catalogue:
            if entry.fuzzy:
                entry.msgstr = ""
                entry.msgstr_plural = {index: "" for index in entry.msgstr_plural}
        catalogue.save_as_mofile(str(target))
        made.append(target)
    return made
