"""The Spanish catalogue: complete, and compiled without GNU gettext."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

from community.catalogues import catalogue_sources, catalogues_compile

SPANISH = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_every_message_of_the_spanish_catalogue_is_translated():
    catalogue = polib.pofile(str(SPANISH))
    assert catalogue.metadata["Language"] == "es"
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert len(catalogue.translated_entries()) > 40


def test_the_catalogue_is_compiled_once_then_left_alone(tmp_path, settings, monkeypatch):
    monkeypatch.setenv("PATH", "")  # no msgfmt to fall back on
    target = tmp_path / "es" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(SPANISH, target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]

    assert catalogue_sources() == [target / "django.po"]
    assert catalogues_compile() == [target / "django.mo"]
    assert catalogues_compile() == []
    compiled = polib.mofile(str(target / "django.mo"))
    assert compiled.find("Oversight").msgstr == "Supervisión"
    os.utime(target / "django.po", (1e10, 1e10))  # the source changed
    assert catalogues_compile() == [target / "django.mo"]


def test_django_reads_the_compiled_spanish():
    with translation.override("es"):
        assert translation.gettext("How to make a complaint") == "Cómo presentar una queja"
    assert translation.gettext("How to make a complaint") == "How to make a complaint"
