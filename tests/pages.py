"""Using the app's pages as a person and their browser would: signing in; the visible text,
the checklist's form fields as posted, one question's fieldset; the addresses and questions
they name; the Django admin's agency form with its member list."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from django.urls import reverse

from assessments.models import Assessment
from questionnaires.models import Question
from tests.factories import PASSWORD


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment, its whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


class _SectionForm(HTMLParser):
    """What a browser would post from the page's question fields: name → value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        name = attributes.get("name") or ""
        if not re.match(r"q\d+-", name):
            return
        if tag == "input":
            if attributes.get("type") in ("radio", "checkbox"):
                if "checked" in attributes:
                    self.fields[name] = attributes.get("value") or "on"
            else:
                self.fields[name] = attributes.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(response) -> dict[str, str]:
    """The question fields of a section page as the user's browser would send them."""
    parser = _SectionForm()
    parser.feed(response.content.decode())
    return parser.fields


def fieldset(response, code: str) -> str:
    """The HTML of one question's fieldset on a section page."""
    found = re.search(
        rf'<fieldset[^>]*id="{re.escape(code)}".*?</fieldset>', response.content.decode(), re.S
    )
    assert found, f"question {code} is not on the page"
    return found.group(0)


def sign_in(client, username: str, password: str = PASSWORD, **headers):
    """Post the sign-in form (lockout and the audit trail need the request)."""
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def question(assessment: Assessment, code: str) -> Question:
    return Question.objects.get(questionnaire_id=assessment.questionnaire_id, code=code)


def section_url(assessment: Assessment, code: str) -> str:
    return reverse("section", args=[assessment.pk, code])


# The Django admin


def agency_form(agency, *rows: dict) -> dict:
    """The agency's change page with `rows` as its member list, each row a membership's fields
    (and "DELETE": "on" to delete it)."""
    data = {
        "name": agency.name,
        "slug": agency.slug,
        "state": agency.state,
        "county": agency.county,
        "agency_type": agency.agency_type,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"memberships-{i}-{name}": value for name, value in row.items()})
    return data


def membership_row(membership, **changes) -> dict:
    row = {
        "id": membership.pk,
        "agency": membership.agency_id,
        "user": membership.user_id,
        "role": membership.role,
        "title": membership.title,
    }
    row.update(changes)
    return row
