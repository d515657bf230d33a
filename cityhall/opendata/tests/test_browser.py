"""The transparency and dataset pages in headless Chromium, English and
Spanish, desktop and mobile, with axe-core on each; the charts are drawn with
JavaScript and their figures are in tables without it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cityhall.testing import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = (
    "/transparency/",
    "/data/",
    "/data/service-performance/",
    "/data/lost-and-stolen-property/",
)


@pytest.fixture
def demo_city(settings):
    from django.contrib.auth.models import Group

    from cityhall.core.roles import ROLES

    # A transactional test empties the tables, the roles' groups (a data migration) too.
    for code in ROLES:
        Group.objects.get_or_create(name=code)
    settings.DEBUG = True
    call_command("seed_demo", "--quiet", "--scale", "300", stdout=io.StringIO())


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_pages_are_accessible_in_both_languages(request, demo_city, viewport):
    page = request.getfixturevalue("page" if viewport == "desktop" else "mobile_page")
    for prefix, language in (("", "en"), ("/es", "es")):
        for path in PAGES:
            page.goto(page.base + prefix + path)
            assert page.locator("html").get_attribute("lang") == language
            assert_accessible(page, f"{viewport}-{language}{path.replace('/', '-')}")
    page.goto(page.base + "/transparency/")
    page.wait_for_function("() => document.querySelectorAll('canvas[data-chart]').length > 0")
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => window.Chart && Chart.getChart(c))"
    )
    assert drawn


def test_the_figures_are_there_without_javascript(browser, live_server, demo_city):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/transparency/")
    tables = page.locator("table")
    assert tables.count() >= 6  # the services table and one per chart
    assert page.locator("[data-testid=services-table] tbody tr").count() >= 3
    link = page.locator("a[href='/data/service-performance.csv']").first
    assert link.is_visible()
    context.close()
