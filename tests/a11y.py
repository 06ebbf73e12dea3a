"""axe-core on a Playwright page: WCAG 2.2 AA, failing on any serious or critical violation.

Public-sector services in the UK must meet WCAG 2.2 AA. ``assert_accessible(page)`` runs axe-core
(bundled by axe-playwright-python, nothing fetched) on the page as it stands and fails listing each
serious or critical violation with the elements it found."""

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
