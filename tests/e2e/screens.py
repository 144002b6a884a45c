"""Screenshots for a person to look at: every page a browser test shows, at 1280x800 and
390x844, written to tests/e2e/screenshots/."""

from pathlib import Path

from playwright.sync_api import Page

SHOTS = Path(__file__).resolve().parent / "screenshots"
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}


def both_sizes(page: Page, name: str, *, full_page: bool = False, fits: bool = True) -> None:
    """`name-wide.png` and `name-narrow.png` of the page as it is now, and the window back
    at the wide size. With `fits`, the narrow page must not scroll sideways."""
    SHOTS.mkdir(exist_ok=True)
    for size, suffix in ((WIDE, "wide"), (NARROW, "narrow")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{suffix}.png"), full_page=full_page)
        if fits:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                name,
                suffix,
            )
    page.set_viewport_size(WIDE)
