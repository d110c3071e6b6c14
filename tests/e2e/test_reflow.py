"""Reflow (WCAG 1.4.10) and resized text (1.4.4): at 320 CSS pixels wide, and with text at 200 %,
no page scrolls sideways and no control is lost. Screenshots go to tests/e2e/artifacts/."""

from __future__ import annotations

import base64
import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from assessments import services
from plans.models import PlanItem
from tests.e2e.a11y import AxeAudit
from tests.e2e.conftest import ARTIFACTS_DIR, TIMEOUT_MS, current_code
from tests.factories import PASSWORD, AssessmentFactory, answer_questions, approve

NARROW = {"width": 320, "height": 640}
PHONE = {"width": 390, "height": 844}  # a common phone, upright
WIDE = {"width": 1280, "height": 900}


def answer_some(assessment, user) -> None:
    """Half the questions answered, so progress bars, the chart and the lists have content."""
    questions = list(assessment.applicable_questions())
    data = [
        services.AnswerInput(question_id=q.pk, value="yes" if q.answer_type == "choice" else "3")
        for q in questions[::2]
        if q.answer_type in ("choice", "scale")
    ]
    services.answers_save(assessment=assessment, user=user, data=data)


@pytest.fixture
def layout_page(browser, request):
    """A page with the viewport and text size of the test's parameter."""
    size, text = request.param
    context = browser.new_context(viewport=NARROW if size == "narrow" else WIDE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    if text != "100%":
        # Text resized, as a browser's text-only zoom does: every rem and em grows with it.
        page.add_init_script(
            f"document.addEventListener('DOMContentLoaded', () => "
            f"{{ document.documentElement.style.fontSize = '{text}'; }});"
        )
    yield page, f"{size}-{text.replace('%', 'pct')}"
    context.close()


WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(-3).map(e => e.outerHTML.slice(0, 120))"""


def expect_no_sideways_scrolling(page: Page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"] + 1, (widths, page.evaluate(WIDEST))


def expect_reachable(page: Page, target) -> None:
    target.scroll_into_view_if_needed()
    expect(target).to_be_visible()
    expect(target).to_be_in_viewport()
    box = target.bounding_box()
    width = page.evaluate("() => window.innerWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (box, width)


EVERY_CONTROL_ON_SCREEN = """() => {
  const width = window.innerWidth;
  const controls = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]");
  const lost = [];
  for (const control of controls) {
    const box = control.getBoundingClientRect();
    if (!box.width || !box.height || control.closest(".visually-hidden, [hidden]")) continue;
    if (control.matches(".skip-link:not(:focus)")) continue;  // shown on focus: test_keyboard
    // Inside a box that scrolls sideways (a wide table), the box must be on screen.
    let scroller = control.parentElement;
    while (scroller && scroller.scrollWidth <= scroller.clientWidth + 1) {
      scroller = scroller.parentElement;
    }
    const shown = scroller && scroller !== document.documentElement && scroller !== document.body
      ? scroller.getBoundingClientRect() : box;
    if (shown.left < -1 || shown.right > width + 1) {
      const where = `${Math.round(box.left)}..${Math.round(box.right)}`;
      lost.push(`${control.outerHTML.slice(0, 80)} at ${where}`);
    }
  }
  return lost;
}"""


def expect_every_control_on_screen(page: Page) -> None:
    """No link, button or field lies beyond the left or right edge of the screen."""
    lost = page.evaluate(EVERY_CONTROL_ON_SCREEN)
    assert lost == [], f"controls off screen on {page.url}: {lost}"


def check_page(page: Page, layout: str, name: str, audit: AxeAudit) -> None:
    expect_no_sideways_scrolling(page)
    expect_every_control_on_screen(page)
    screenshot(page, layout, name)
    audit(name)


def screenshot(page: Page, layout: str, name: str) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / f"reflow-{layout}-{name}.png"), full_page=True)


@pytest.mark.parametrize(
    "layout_page", [("narrow", "100%"), ("wide", "200%")], indirect=True, ids=["320px", "text200"]
)
def test_pages_reflow_without_losing_content(
    layout_page: tuple[Page, str], live_server, preparer, draft
) -> None:
    page, layout = layout_page
    audit = AxeAudit(page)  # scroll boxes appear only on a narrow screen: check them there too
    answer_some(draft, preparer)
    page.goto(f"{live_server.url}/accounts/login/")
    root_size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    assert root_size == ("32px" if layout.endswith("200pct") else "16px")
    expect_no_sideways_scrolling(page)
    page.get_by_label("Username").fill("preparer")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()

    expect_reachable(page, page.get_by_role("button", name="Sign out"))
    expect_reachable(page, page.get_by_role("link", name=draft.title))
    expect_no_sideways_scrolling(page)
    expect_every_control_on_screen(page)
    screenshot(page, layout, "dashboard")
    audit("dashboard")

    overview = f"{live_server.url}/assessments/{draft.pk}/"
    page.goto(f"{overview}?show=unanswered#filtered")
    expect_no_sideways_scrolling(page)
    expect_reachable(page, page.get_by_role("link", name="Review and submit"))
    screenshot(page, layout, "overview")
    audit("overview")

    page.goto(f"{overview}sections/CAP/")
    expect_no_sideways_scrolling(page)
    first = page.locator("fieldset.question").first
    for control in (
        first.get_by_role("radio").first,
        first.get_by_role("radio").last,
        first.get_by_label("Note"),
        first.get_by_label("Mark for review"),
    ):
        expect_reachable(page, control)
    expect_reachable(page, page.get_by_role("button", name="Save", exact=True))
    expect_reachable(page, page.get_by_role("button", name="Save and go to step 2"))
    expect_every_control_on_screen(page)
    screenshot(page, layout, "section")
    audit("section")

    page.goto(f"{overview}results/")
    expect_no_sideways_scrolling(page)
    expect_reachable(page, page.locator(".dimension-chart"))
    table = page.get_by_role("table").first  # wider than the screen: it scrolls in its box
    expect_reachable(page, table.get_by_role("rowheader").first)
    screenshot(page, layout, "results")
    audit("results")

    item = PlanItem.objects.create(
        agency=draft.agency, title="Adopt a written staffing plan for 287(g) duties",
        owner=preparer, target_date=datetime.date(2026, 1, 15), created_by=draft.created_by,
        question_code="CAP-04", section_code="CAP", priority=1, critical=True,
    )  # fmt: skip
    page.goto(f"{live_server.url}/plan/")
    expect_reachable(page, page.get_by_role("button", name="Show"))
    expect_reachable(page, page.get_by_role("link", name=item.title))
    check_page(page, layout, "plan", audit)
    page.goto(f"{live_server.url}/plan/items/{item.pk}/")
    expect_reachable(page, page.get_by_role("button", name="Save"))
    check_page(page, layout, "plan-item", audit)
    page.goto(f"{overview}compare/")
    check_page(page, layout, "compare", audit)
    audit.assert_clean()


@pytest.mark.parametrize(
    "layout_page", [("narrow", "100%"), ("wide", "200%")], indirect=True, ids=["320px", "text200"]
)
def test_administration_and_two_step_pages_reflow(
    layout_page: tuple[Page, str], live_server, agency_admin, preparer, draft
) -> None:
    page, layout = layout_page
    audit = AxeAudit(page)
    answer_some(draft, preparer)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("agencyadmin")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    # An agency administrator without a device sets one up first.
    assert "/accounts/two-step/setup/" in page.url
    check_page(page, layout, "two-step-setup", audit)
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    page.get_by_role("textbox", name="Code").fill(
        current_code(base64.b32decode(key + "=" * (-len(key) % 8)))
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-step sign-in").click()
    check_page(page, layout, "recovery-codes", audit)

    for name, path in [
        ("start", "/assessments/new/"),
        ("members", "/agency/members/"),
        ("member-add", "/agency/members/add/"),
        ("audit-log", "/agency/audit/"),
        ("activity", f"/assessments/{draft.pk}/activity/"),
        ("method", "/method/"),
        ("password-change", "/accounts/password/change/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_page(page, layout, name, audit)
    audit.assert_clean()


# A phone 390 px wide: the pages a preparer uses most, with the demo's kind of content.

PAST_THE_EDGE = """() => {
  const width = window.innerWidth;
  const past = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // hidden, or visually hidden
    if (box.left >= -1 && box.right <= width + 1) continue;
    if (element.closest(".skip-link")) continue;  // shown on focus: test_keyboard
    // Inside a box that scrolls sideways and is itself on screen (the trend chart).
    let box_ = element.parentElement, inScroller = false;
    for (; box_ && box_ !== document.body; box_ = box_.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(box_).overflowX)) {
        const own = box_.getBoundingClientRect();
        inScroller = own.left >= -1 && own.right <= width + 1;
        break;
      }
    }
    if (!inScroller) past.push(`${element.outerHTML.slice(0, 100)} at ${Math.round(box.right)}`);
  }
  return past.slice(0, 5);
}"""

# The size text is drawn at: an SVG's text scales with its drawing, HTML text does not.
DRAWN_TEXT_SIZES = """selector => [...document.querySelectorAll(selector)]
  .filter(element => element.getClientRects().length)
  .map(element => {
    const size = parseFloat(getComputedStyle(element).fontSize);
    const scale = element instanceof SVGGraphicsElement ? element.getScreenCTM().a : 1;
    return [element.textContent.trim().slice(0, 30), Math.round(size * scale * 10) / 10];
  })"""


def expect_nothing_past_the_edge(page: Page) -> None:
    past = page.evaluate(PAST_THE_EDGE)
    assert past == [], f"wider than the screen on {page.url}: {past}"


def expect_chart_text_at_least(page: Page, selector: str, px: float) -> None:
    sizes = page.evaluate(DRAWN_TEXT_SIZES, selector)
    assert sizes, f"no chart text {selector} on {page.url}"
    assert all(size >= px for _, size in sizes), sizes


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def test_a_390_px_phone_shows_every_page_without_sideways_scrolling(
    phone: Page, live_server, preparer, command, draft
) -> None:
    page, audit = phone, AxeAudit(phone)
    for year in (2025, 2026):  # two approved assessments: the dashboard draws the trend
        earlier = AssessmentFactory(
            agency=draft.agency, created_by=command, title=f"{year} review", models=["JEM", "WSO"]
        )
        answer_questions(earlier, preparer)
        approve(earlier, preparer=preparer, command=command)
    answer_some(draft, preparer)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("preparer")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()

    def check(name: str) -> None:
        expect_no_sideways_scrolling(page)
        expect_nothing_past_the_edge(page)
        expect_every_control_on_screen(page)
        screenshot(page, "phone-390", name)
        audit(f"{name}, 390 px")

    # Dashboard: each assessment a card, its status and progress on screen.
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=draft.title))
    expect_reachable(page, row.locator("td[data-label=Status]"))
    expect_reachable(page, row.locator("progress"))
    expect_reachable(page, row.get_by_text("answered ("))
    expect_chart_text_at_least(page, "svg.trend-chart text", 12)
    check("dashboard")

    overview = f"{live_server.url}/assessments/{draft.pk}/"
    page.goto(f"{overview}?show=unanswered#filtered")
    expect_reachable(page, page.get_by_role("link", name="Review and submit"))
    check("overview")

    page.goto(f"{overview}results/")
    expect_chart_text_at_least(page, ".dimension-chart .dimension-label", 12)
    expect_chart_text_at_least(page, ".dimension-chart .dimension-value", 12)
    check("results")

    # A step: its first question starts on the first screen, above the sticky Save bar.
    page.goto(f"{overview}sections/CAP/")
    legend = page.locator("fieldset.question").first.locator("legend")
    save_bar = page.get_by_role("button", name="Save", exact=True)
    assert legend.bounding_box()["y"] + 24 <= save_bar.bounding_box()["y"], (
        legend.bounding_box(),
        save_bar.bounding_box(),
    )
    expect_reachable(page, page.get_by_role("link", name="2. Engage with ICE"))
    check("section")
    first = page.locator("fieldset.question").first
    first.get_by_label("Not applicable", exact=True).check()
    expect(first.get_by_label(re.compile("^Reason it is not applicable"))).to_be_visible()
    check("section-not-applicable-chosen")
    audit.assert_clean()
