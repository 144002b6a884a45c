"""Login and logout in real headless Chromium, found by the accessible names."""

import re

import pytest
from playwright.sync_api import Page, expect

from newsdesk import roles
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough test password"


def test_analyst_logs_in_lands_on_the_articles_and_logs_out(live_server, page: Page):
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Articles", level=1)).to_be_visible()
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text("role analyst")).to_be_visible()
    expect(page.get_by_role("link", name="Admin site")).to_have_count(0)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="You have logged out")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_wrong_password_shows_an_alert_and_keeps_the_user_out(live_server, page: Page):
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_admin_sees_the_admin_site_link_and_reaches_the_admin(live_server, page: Page):
    UserFactory(username="root", password=PASSWORD, role=roles.ADMIN)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Admin site").click()
    expect(page.get_by_role("heading", name="Coverage, annotations and users")).to_be_visible()
    page.get_by_role("link", name="Entities").click()
    expect(page.get_by_role("heading", name="Select entity to change")).to_be_visible()
