"""End-to-end paths in a real browser: Playwright driving Debian's Chromium.

Screenshots of the main pages land in test-results/screenshots/ for review.
"""

import csv
import importlib
import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import Count

from cooperation.models import Event

from .conftest import restore_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop; Django's ORM calls from the test are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def curated(transactional_db, curated_catalogue):
    """The curated catalogue, written back from the session's copy (conftest) where the live
    server sees it; the transactional test empties every table after itself."""
    report, rows = curated_catalogue
    restore_catalogue(rows)
    return report


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_find_tanzania_2012_open_event_follow_programme_download_csv(page, live_server, curated):
    page.goto(live_server.url + "/")
    assert "cooperation" in page.title().lower()
    shoot(page, "home")

    # Filter the events list by a country and a year, with the form.
    page.get_by_role("link", name="Events", exact=True).click()
    page.get_by_label("Country", exact=True).select_option(label="Tanzania")
    page.get_by_label("Year").fill("2012")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/events/?*")
    assert page.get_by_role("heading", level=1).inner_text() == "Events involving Tanzania, in 2012"
    # The form comes before the facets, and has the organization and person fields.
    form_top = page.locator("form.filters").bounding_box()["y"]
    assert form_top < page.locator(".facets").bounding_box()["y"]
    assert page.get_by_label("Organization", exact=True).count() == 1
    assert page.get_by_label("Person", exact=True).count() == 1
    shoot(page, "events-tanzania-2012")
    titles = page.locator("table.records tbody th a").all_inner_texts()
    assert "Third China-Africa Poverty Reduction and Development Conference" in titles

    # Download exactly this result as CSV and check its rows.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("events-tanzania-2012-")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8"))))
    assert sorted(row["title"] for row in rows) == sorted(titles)
    assert all("TZ" in row["country_codes"].split("; ") for row in rows)

    # Open an event, then follow a link to its programme.
    page.get_by_role(
        "link", name="Third China-Africa Poverty Reduction and Development Conference"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Third China-Africa")
    shoot(page, "event-detail")
    page.locator("dl.facts").get_by_role(
        "link", name="China-Africa Poverty Reduction and Development Conference"
    ).click()
    assert "/programmes/" in page.url
    assert page.get_by_role("heading", level=1).inner_text().startswith("China-Africa Poverty")
    shoot(page, "programme-detail")


def test_two_clicks_from_home_to_events_hosted_in_tanzania_in_2012(page, live_server, curated):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Tanzania", exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Tanzania"
    shoot(page, "country-tanzania")
    page.locator("section", has_text="Events hosted in Tanzania").get_by_role(
        "link", name="2012"
    ).click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Events hosted by Tanzania, in 2012"
    assert page.locator("table.records tbody tr").count() >= 5


def test_facet_links_and_removing_a_filter(page, live_server, curated):
    page.goto(live_server.url + "/events/?year=2012")
    page.locator(".facets").get_by_role("link", name="Training", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Trainings in 2012"
    page.get_by_role("link", name="Remove filter: in 2012").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Trainings"


def test_main_pages_render_for_review(page, live_server, curated):
    for name, path in [
        ("years", "/years/2012/"),
        ("countries", "/countries/?sort=-events"),
        ("organizations", "/organizations/?sort=-events"),
        ("person", "/people/fan-xiaojian/"),
        ("not-found", "/events/no-such-event/"),
    ]:
        response = page.goto(live_server.url + path)
        assert response.status in (200, 404)
        shoot(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/events/?country=tz")
    shoot(page, "events-phone")


def test_typing_finds_a_country_in_the_filter_form(page, live_server, curated):
    page.goto(live_server.url + "/events/")
    page.get_by_label("Find in Country").fill("tanz")
    country = page.get_by_label("Country", exact=True)
    visible = country.locator("option:not([hidden])")
    assert visible.all_inner_texts() == ["Tanzania"]
    country.select_option(label="Tanzania")
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Events involving Tanzania"


def test_the_api_page_lists_every_list_and_tries_one(page, live_server, curated):
    """Swagger UI runs from the site's own static files under its content security policy."""
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="API", exact=True).click()
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/events/", "/api/countries/{key}/", "/api/years/"} <= set(paths)
    page.locator(".opblock-summary", has_text="/api/events/").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.locator('input[placeholder="page_size"]').fill("2")
    page.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".response .response-col_status")
    status = page.locator(".live-responses-table tbody .response-col_status").first
    assert status.inner_text().strip() == "200"
    assert "count_is_minimum" in page.locator(".live-responses-table tbody").first.inner_text()
    shoot(page, "api-docs")
    assert violations == []


def test_event_change_form_fits_a_1280_pixel_window(page, live_server, curated):
    # The Editors group comes from a data migration, which a transactional test's flush empties:
    # made again as the migration makes it.
    editors = importlib.import_module("cooperation.migrations.0002_editors_group")
    state = MigrationLoader(connection).project_state(("cooperation", "0002_editors_group"))
    editors.create_editors(state.apps, None)
    user = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    # The event with the most people: the people inline is the widest part of the form.
    event = Event.objects.annotate(n=Count("person_links")).order_by("-n").first()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a-long-editor-password")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + f"/admin/cooperation/event/{event.pk}/change/")
    assert page.get_by_role("heading", name="Change event").is_visible()
    shoot(page, "admin-event-change")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the event change form is {width} px wide in a 1280 px window"
