"""The plan as a spreadsheet (CSV) and as a calendar (iCalendar), and the CSV writing that the
answers export shares: every cell formula-safe, UTF-8 with a byte-order mark for Excel."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

import icalendar
from django.utils import timezone

from agencies.models import Agency, person_name

from .models import PlanItem

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """`text` as a cell no spreadsheet runs as a formula: a leading quote makes it plain text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_document(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Rows as CSV text with a byte-order mark, so Excel reads the accents; every cell safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(str(cell)) for cell in row])
    return "\ufeff" + buffer.getvalue()


PLAN_HEADER = (
    "Priority",
    "Title",
    "Question",
    "Step",
    "Critical",
    "Owner",
    "Target date",
    "Status",
    "Reason it will not be done",
    "Raised by",
    "Last progress",
)


def _last_progress(item: PlanItem) -> str:
    last = item.last_progress
    if last is None:
        return ""
    when = timezone.localtime(last.created_at).strftime("%Y-%m-%d")
    return f"{when} {person_name(last.author) or 'a former user'}: {last.note}".strip()


def plan_csv(items: Iterable[PlanItem]) -> str:
    rows = (
        (
            item.priority,
            item.title,
            item.question_code,
            item.section_code,
            "Yes" if item.critical else "No",
            person_name(item.owner),
            item.target_date.isoformat() if item.target_date else "",
            item.get_status_display(),
            item.wont_do_reason,
            str(item.assessment) if item.assessment else "Added by hand",
            _last_progress(item),
        )
        for item in items
    )
    return csv_document(PLAN_HEADER, rows)


def plan_calendar(items: Iterable[PlanItem], *, agency: Agency, base_url: str) -> bytes:
    """An all-day event on each item's target date; items without one are left out."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Readiness//Readiness plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Readiness plan — {agency.name}")
    stamp = timezone.now()
    for item in items:
        if item.target_date is None:
            continue
        event = icalendar.Event()
        event.add("uid", f"plan-item-{item.pk}@readiness")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.target_date)
        event.add("dtend", item.target_date + datetime.timedelta(days=1))
        event.add("summary", f"Readiness plan: {item.title}")
        event.add("description", f"Status: {item.get_status_display()}.")
        event.add("url", f"{base_url.rstrip('/')}/plan/items/{item.pk}/")
        calendar.add_component(event)
    return calendar.to_ical()
