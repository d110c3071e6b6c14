"""Moving through a page with the keyboard alone."""

from __future__ import annotations

from playwright.sync_api import Locator, Page


def tab_to(page: Page, target: Locator, max_presses: int = 40) -> None:
    """Press Tab until `target` has the focus; fail if the keyboard never reaches it."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")
