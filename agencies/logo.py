"""An agency's letterhead: an uploaded PNG or JPEG made into a small, clean PNG.

Nothing uploaded is stored as it came. The file is decoded with Pillow (which refuses anything
that is not an image it knows), bounded in bytes and pixels before and after decoding, scaled
down to the size the report prints and encoded again as PNG: metadata, comments, extra chunks
and whatever was appended to the file do not survive. SVG is refused outright, since an SVG is
a document that can carry scripts and references, not a picture.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_STORED_BYTES = 300 * 1024
# Decoding is refused above these, before any pixel is read (a small file can decode huge).
MAX_SOURCE_SIDE = 5000
MAX_SOURCE_PIXELS = 12_000_000
# The cover prints the logo at most 2 × 0.9 inches; 600 × 270 pixels is 300 dpi at that size.
STORED_BOX = (600, 270)
ACCEPTED_FORMATS = {"PNG", "JPEG"}

SVG_REFUSED = gettext_noop(
    "SVG logos are not accepted because an SVG can carry scripts; upload a PNG."
)


@dataclass(frozen=True)
class CleanLogo:
    png: bytes
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.png).hexdigest()

    def summary(self) -> dict:
        """The audit payload: what was stored, not the bytes."""
        return {
            "sha256": self.sha256,
            "width": self.width,
            "height": self.height,
            "bytes": len(self.png),
        }


def _looks_like_svg(data: bytes, name: str, content_type: str) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (
        name.lower().endswith((".svg", ".svgz"))
        or "svg" in content_type.lower()
        or head.startswith((b"<?xml", b"<svg", b"<!doctype svg"))
        or b"<svg" in head
    )


def logo_clean(data: bytes, *, name: str = "", content_type: str = "") -> CleanLogo:
    """`data` (an uploaded file's bytes) as a clean PNG no larger than STORED_BOX, or a
    ValidationError that says what to upload instead."""
    if _looks_like_svg(data, name, content_type):
        raise ValidationError(gettext(SVG_REFUSED))
    if not data:
        raise ValidationError(gettext("The file is empty. Upload a PNG or JPEG logo."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            gettext(
                "The file is %(size).1f MB; a logo may be at most %(limit)s MB. "
                "Upload a smaller PNG."
            )
            % {"size": len(data) / 1024 / 1024, "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    gettext("The file is a %(format)s image; upload a PNG or JPEG.")
                    % {"format": image.format}
                    if image.format
                    else gettext("The file is a kind of image; upload a PNG or JPEG.")
                )
            width, height = image.size
            if max(width, height) > MAX_SOURCE_SIDE or width * height > MAX_SOURCE_PIXELS:
                raise ValidationError(
                    gettext(
                        "The image is %(width)s × %(height)s pixels; a logo may be at most "
                        "%(max_source_side)s pixels on a side. Upload a smaller PNG."
                    )
                    % {"width": width, "height": height, "max_source_side": MAX_SOURCE_SIDE}
                )
            image.load()
            image = ImageOps.exif_transpose(image)
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            clean = image.convert("RGBA" if has_alpha else "RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            gettext("The file could not be read as a PNG or JPEG image. Upload a PNG.")
        ) from None
    clean.thumbnail(STORED_BOX, Image.Resampling.LANCZOS)
    clean.info.clear()  # no ICC profile, text chunks or EXIF carried into the PNG
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    if len(png) > MAX_STORED_BYTES:
        raise ValidationError(
            gettext(
                "The logo is still %(size)s KB once made into a PNG of %(width)s × %(height)s "
                "pixels; at most %(max_stored_bytes)s KB is kept. Upload a simpler logo (fewer "
                "colours, no photograph)."
            )
            % {
                "size": len(png) // 1024,
                "width": clean.width,
                "height": clean.height,
                "max_stored_bytes": MAX_STORED_BYTES // 1024,
            }
        )
    return CleanLogo(png=png, width=clean.width, height=clean.height)
