"""Signing in and out through the pages: the sign-in form, a wrong password, signing out."""

from __future__ import annotations

from html.parser import HTMLParser

from django.urls import reverse

from tests.factories import PASSWORD


class _Fields(HTMLParser):
    """Collects each label's text by its `for`, and each input's type by its id."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[str, str] = {}
        self.inputs: dict[str, str] = {}
        self._label_for: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self._label_for = attributes["for"]
            self.labels[self._label_for] = ""
        elif tag == "input" and attributes.get("id"):
            self.inputs[attributes["id"]] = attributes.get("type", "text")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_for = None

    def handle_data(self, data: str) -> None:
        if self._label_for:
            self.labels[self._label_for] += data


def test_the_sign_in_page_labels_its_fields(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    fields = _Fields()
    fields.feed(response.content.decode())
    assert "Username" in fields.labels["id_username"]
    assert "Password" in fields.labels["id_password"]
    assert fields.inputs["id_username"] == "text"
    assert fields.inputs["id_password"] == "password"


def test_signing_in_opens_the_dashboard(client, preparer):
    response = client.post(reverse("login"), {"username": "preparer", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.session["_auth_user_id"] == str(preparer.pk)


def test_a_wrong_password_is_refused_with_a_message(client, preparer):
    response = client.post(reverse("login"), {"username": "preparer", "password": "not-it"})

    assert response.status_code == 200
    assert "The username or password is not correct. Both are case-sensitive." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_signing_out_by_post_ends_the_session(client_for, preparer):
    client = client_for(preparer)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302


def test_signing_out_by_get_is_refused(client_for, preparer):
    client = client_for(preparer)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(preparer.pk)
