"""The public page's cost and its letterhead."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from agencies import services as agency_services
from tests.agencies.test_logo import png_bytes
from tests.community.conftest import public_url


def test_the_public_page_costs_one_query_without_a_letterhead(
    approved_v2, publish, django_assert_num_queries
):
    version = publish(approved_v2)
    with django_assert_num_queries(1):
        assert Client().get(public_url(version, "es")).status_code == 200


def test_the_letterhead_shows_when_the_agency_has_one(
    approved_v2, publish, agency, agency_admin, django_assert_num_queries
):
    version = publish(approved_v2)
    assert "data:image/png" not in Client().get(public_url(version)).content.decode()
    agency_services.agency_logo_set(
        agency=agency, actor_membership=agency_admin.membership, data=png_bytes(), ip_address=None
    )

    with django_assert_num_queries(2):  # the version, then the letterhead's bytes
        html = Client().get(public_url(version)).content.decode()

    assert '<img class="summary-logo" src="data:image/png;base64,' in html
    assert 'alt="Letterhead of Example County Sheriff&#x27;s Office"' in html


@pytest.mark.slow
def test_the_pdf_carries_the_letterhead_and_is_made_again_when_it_changes(
    approved_v2, publish, agency, agency_admin
):
    version = publish(approved_v2)
    before = PdfReader(io.BytesIO(Client().get(public_url(version, pdf=True)).content))
    assert not before.pages[0].images
    agency_services.agency_logo_set(
        agency=agency, actor_membership=agency_admin.membership, data=png_bytes(), ip_address=None
    )

    after = PdfReader(io.BytesIO(Client().get(public_url(version, pdf=True)).content))

    assert [image.image.size for image in after.pages[0].images] == [(400, 120)]
