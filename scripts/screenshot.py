"""Screenshots of pages in headless Chromium, for looking at what we built.

.venv/bin/python scripts/screenshot.py http://127.0.0.1:8000/ out.png [--mobile]
"""

import sys

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main(url: str, path: str, mobile: bool) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        viewport = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 900}
        page = browser.new_page(viewport=viewport)
        page.goto(url)
        page.screenshot(path=path, full_page=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "--mobile" in sys.argv)
