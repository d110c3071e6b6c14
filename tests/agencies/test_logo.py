"""The agency's report letterhead: an agency administrator uploads a PNG or JPEG, which is
decoded, bounded and saved again as PNG; SVG and other files are refused with a message."""

from __future__ import annotations

import io
import os

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from agencies import services
from agencies.logo import MAX_STORED_BYTES, SVG_REFUSED
from agencies.models import Agency
from audit.models import Event
from tests.factories import AgencyAdminFactory

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)


def png_bytes(size=(400, 120), colour="navy", *, text: dict | None = None) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def upload(client, data: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return client.post(
        reverse("agency_logo"), {"logo": SimpleUploadedFile(name, data, content_type)}
    )


def stored(agency: Agency) -> bytes | None:
    value = Agency.objects.filter(pk=agency.pk).values_list("logo_png", flat=True).first()
    return bytes(value) if value else None


def test_an_agency_administrator_uploads_a_png_kept_as_a_clean_png(
    agency, agency_admin, client_for
):
    data = png_bytes(text={"Comment": "hidden-payload-7731"}) + b"trailing-bytes-after-IEND"

    client = client_for(agency_admin)
    response = upload(client, data)

    assert response.status_code == 302
    png = stored(agency)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"hidden-payload-7731" not in png and b"trailing-bytes" not in png
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (400, 120)
    page = client.get(response["Location"]).content.decode()
    assert "The letterhead is set (400 × 120 pixels)" in page
    assert "Remove the letterhead" in page
    event = Event.objects.get(kind=Event.Kind.LOGO_SET)
    assert event.actor == agency_admin and event.agency_id == agency.pk
    assert event.new["width"] == 400 and event.new["bytes"] == len(png)


def test_a_large_jpeg_is_scaled_to_the_cover_size(agency, agency_admin, client_for):
    out = io.BytesIO()
    Image.new("RGB", (3000, 1000), "darkgreen").save(out, format="JPEG")

    response = upload(client_for(agency_admin), out.getvalue(), "seal.jpg", "image/jpeg")

    assert response.status_code == 302
    with Image.open(io.BytesIO(stored(agency))) as image:
        assert image.format == "PNG" and image.size == (600, 200)


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (SVG, "logo.svg", "image/svg+xml"),
        (SVG, "logo.png", "image/png"),  # an SVG under a PNG's name
        (b"\n  <svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo", "application/octet-stream"),
    ],
)
def test_an_svg_is_refused_with_the_reason(
    agency, agency_admin, client_for, data, name, content_type
):
    response = upload(client_for(agency_admin), data, name, content_type)

    assert response.status_code == 200
    assert SVG_REFUSED in response.content.decode()
    assert stored(agency) is None
    assert not Event.objects.filter(kind=Event.Kind.LOGO_SET).exists()


def test_an_oversize_file_is_refused(agency, agency_admin, client_for):
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(1000 * 1000 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert len(out.getvalue()) > 2 * 1024 * 1024

    response = upload(client_for(agency_admin), out.getvalue())

    assert "a logo may be at most 2 MB" in response.content.decode()
    assert stored(agency) is None


def test_too_many_pixels_or_too_detailed_a_logo_is_refused(agency, agency_admin, client_for):
    client = client_for(agency_admin)

    wide = upload(client, png_bytes(size=(6000, 10)))
    assert "a logo may be at most 5000 pixels on a side" in wide.content.decode()

    noise = Image.frombytes("RGB", (600, 270), os.urandom(600 * 270 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert len(out.getvalue()) > MAX_STORED_BYTES
    detailed = upload(client, out.getvalue())
    assert "Upload a simpler logo" in detailed.content.decode()
    assert stored(agency) is None


def test_a_file_that_is_not_an_image_is_refused(agency, agency_admin, client_for):
    response = upload(client_for(agency_admin), b"%PDF-1.7 not a picture", "logo.png")

    assert "could not be read as a PNG or JPEG image" in response.content.decode()
    assert stored(agency) is None


def test_the_administrator_removes_the_letterhead(agency, agency_admin, client_for):
    client = client_for(agency_admin)
    upload(client, png_bytes())

    response = client.post(reverse("agency_logo_remove"))

    assert response.status_code == 302
    assert stored(agency) is None
    assert Agency.objects.get(pk=agency.pk).logo_updated_at is None
    event = Event.objects.get(kind=Event.Kind.LOGO_REMOVED)
    assert event.actor == agency_admin and event.old["width"] == 400


@pytest.mark.parametrize("persona", ["preparer", "command"])
def test_a_member_who_is_not_an_agency_administrator_is_refused(
    request, agency, client_for, persona
):
    member = request.getfixturevalue(persona)
    client = client_for(member)

    assert client.get(reverse("agency_logo")).status_code == 403
    assert upload(client, png_bytes()).status_code == 403
    assert client.post(reverse("agency_logo_remove")).status_code == 403
    with pytest.raises(PermissionDenied, match="Only an agency administrator of this agency"):
        services.agency_logo_set(
            agency=agency, actor_membership=member.membership, data=png_bytes(), ip_address=None
        )
    assert stored(agency) is None


def test_another_agencys_administrator_cannot_change_it(
    agency, other_agency, agency_admin, client_for
):
    upload(client_for(agency_admin), png_bytes(colour="navy"))
    ours = stored(agency)
    theirs = AgencyAdminFactory(agency=other_agency, username="sample-admin")
    client = client_for(theirs)

    upload(client, png_bytes(colour="red"))
    client.post(reverse("agency_logo_remove"))

    assert stored(agency) == ours  # theirs is the only letterhead they can reach
    assert stored(other_agency) is None  # set, then removed
    image = client.get(reverse("agency_logo_image"))
    assert image.status_code == 404


def test_the_members_page_links_to_the_letterhead(agency_admin, client_for):
    page = client_for(agency_admin).get(reverse("members")).content.decode()

    assert reverse("agency_logo") in page
