"""axe-core on a Playwright page: WCAG 2.2 AA, failing on any serious or critical violation.

Public-sector services in the UK must meet WCAG 2.2 AA. ``assert_accessible(page)`` runs axe-core
(bundled by axe-playwright-python, nothing fetched) on the page as it stands and fails listing each
serious or critical violation with the elements it found. ``save_screenshots`` keeps pages to look at when
``RETRACE_SCREENSHOTS`` names a folder."""

import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING = {"serious", "critical"}
_AXE = Axe()


def violations(page) -> list[dict]:
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v.get("impact") in FAILING]


def assert_accessible(page, where: str = "") -> None:
    found = violations(page)
    lines = []
    for v in found:
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    assert not found, f"accessibility violations on {where or page.url}:\n" + "\n".join(lines)


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _shots_folder() -> Path | None:
    folder = os.environ.get("RETRACE_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_screenshot(page, name: str) -> None:
    """With ``RETRACE_SCREENSHOTS=<folder>``, the page as it stands is saved there as ``<name>.png`` for people to
    look at; without it, nothing is written."""
    if (folder := _shots_folder()) is not None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def save_screenshots(page, name: str) -> None:
    """``save_screenshot`` at phone and desktop sizes (``<name>-phone.png``, ``<name>-desktop.png``); the page is
    left at desktop size."""
    if _shots_folder() is None:
        return
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        save_screenshot(page, f"{name}-{label}")
    page.set_viewport_size(DESKTOP)
