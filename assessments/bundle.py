"""The ZIP export: the JSON export and the evidence files, each under its SHA-256, so an
assessment moves whole to another installation. Reading one refuses, before anything is
imported: names other than `assessment.json` and `evidence/<sha256>` (so no path can escape),
duplicate names, members larger than they declare or than evidence may be, a total beyond the
limit, compression ratios of a ZIP bomb, damaged members and files whose content does not match
their name's SHA-256."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping

from django.conf import settings

from .models import Assessment
from .transfer import TransferError, export_assessment_data

MANIFEST = "assessment.json"
EVIDENCE_NAME = re.compile(r"^evidence/([0-9a-f]{64})$")
MAX_RATIO = 100  # uncompressed / compressed: beyond this a member is a ZIP bomb
MAX_MANIFEST_BYTES = 50 * 1024 * 1024


def export_bundle(*, assessment: Assessment) -> bytes:
    """The assessment as a ZIP: the JSON export and every evidence file it names."""
    data = export_assessment_data(assessment=assessment)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(data, ensure_ascii=False, indent=2))
        written = set()
        for item in assessment.evidence.filter(kind="file").order_by("uploaded_at", "pk"):
            if item.sha256 in written:
                continue
            with item.file.open("rb") as handle:
                archive.writestr(f"evidence/{item.sha256}", handle.read())
            written.add(item.sha256)
    return buffer.getvalue()


def is_zip(raw: bytes) -> bool:
    return raw[:4] == b"PK\x03\x04"


def read_bundle(raw: bytes) -> tuple[object, Mapping[str, bytes]]:
    """(the export's data, evidence files by SHA-256), or TransferError naming every problem."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise TransferError([f"file: not a readable ZIP export ({error})."]) from error
    problems: list[str] = []
    seen: set[str] = set()
    limit = settings.READINESS_EVIDENCE_MAX_BYTES
    total_limit = settings.READINESS_EVIDENCE_AGENCY_QUOTA_BYTES + MAX_MANIFEST_BYTES
    total = 0
    for info in members:
        name = info.filename
        where = f"ZIP member {name!r}"
        if name in seen:
            problems.append(f"{where}: appears twice.")
        seen.add(name)
        if name != MANIFEST and not EVIDENCE_NAME.match(name):
            problems.append(f"{where}: not a name an export writes (assessment.json, evidence/…).")
            continue
        cap = MAX_MANIFEST_BYTES if name == MANIFEST else limit
        if info.file_size > cap:
            problems.append(f"{where}: larger than an export's files may be.")
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_RATIO and info.file_size > 1024 * 1024:
            problems.append(f"{where}: compressed {ratio:.0f} to 1, as no document is.")
        total += info.file_size
    if MANIFEST not in seen:
        problems.append(f"file: the ZIP has no {MANIFEST}.")
    if total > total_limit:
        problems.append("file: the ZIP unpacks to more than an agency's evidence may hold.")
    if problems:
        raise TransferError(problems)
    files: dict[str, bytes] = {}
    manifest = b""
    for info in members:
        try:
            with archive.open(info) as handle:
                content = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
            problems.append(
                f"ZIP member {info.filename!r}: damaged or larger than declared ({error})."
            )
            continue
        if len(content) > info.file_size:
            problems.append(f"ZIP member {info.filename!r}: larger than it declares.")
            continue
        if info.filename == MANIFEST:
            manifest = content
            continue
        digest = EVIDENCE_NAME.match(info.filename).group(1)
        if hashlib.sha256(content).hexdigest() != digest:
            problems.append(
                f"ZIP member {info.filename!r}: its content does not match its SHA-256."
            )
            continue
        files[digest] = content
    if problems:
        raise TransferError(problems)
    try:
        data = json.loads(manifest.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TransferError([f"{MANIFEST}: not valid JSON ({error})."]) from error
    except RecursionError as error:
        raise TransferError([f"{MANIFEST}: nested too deeply to be an export."]) from error
    return data, files
