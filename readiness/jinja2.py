"""The Jinja2 environment of the few hot templates under templates/jinja2/ (the rest of the
site uses Django's engine): Django's URL reversing as `url(name, *args)`."""

from __future__ import annotations

from django.urls import reverse
from jinja2 import Environment


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals["url"] = url
    return env
