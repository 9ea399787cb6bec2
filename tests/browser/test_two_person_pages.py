"""The two-person exits of issue 13 in a real browser, in Vietnamese and in English: one
manager asks on the item page, a second manager confirms on /approvals, and for a transfer
the receiving agency's keeper scans the item in. Each text checked is the one the
translation file gives for the page's language."""

import pytest

from evidence_service.i18n.translator import translator
from evidence_service.legal.holidays import local_today
from tests.browser.conftest import WebSite, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]

LANGUAGES = ["vi", "en"]
HOMES = {"manager": "/dashboard", "manager2": "/dashboard", "other-keeper": "/scan"}


def sign_in(page, site: WebSite, username: str, lang: str) -> None:
    """A fresh sign-in as ``username``, then the page's language switched to ``lang``."""
    page.context.clear_cookies()
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}{HOMES[username]}")
    if page.locator("html").get_attribute("lang") != lang:
        page.click(f'form[action="/lang"] button[value="{lang}"]')
        page.wait_for_url(f"{site.url}{HOMES[username]}")
    expect(page.locator("html")).to_have_attribute("lang", lang)


def ask(page, site: WebSite, code: str, form: str, fields: dict[str, str]) -> None:
    """Open one of the item page's actions, fill it and send it."""
    page.goto(f"{site.url}/items/{code}")
    page.click(f"#form-{form} summary")
    for selector, value in fields.items():
        if selector.startswith("select"):
            page.select_option(selector.removeprefix("select"), value)
        else:
            page.fill(selector, value)
    page.click(f"#form-{form} button.primary")


def document(form: str, number: str) -> dict[str, str]:
    """The fields of a form's document (``di``, ``rel``, ``tr``): number, date and issuer."""
    return {
        f"#{form}-doc": number,
        f"#{form}-date": local_today().isoformat(),
        f"#{form}-issuer": "Thủ trưởng THADS A",
    }


def confirm_as_second_manager(page, site: WebSite, code: str, lang: str, kind: str) -> None:
    t = translator(lang)
    sign_in(page, site, "manager2", lang)
    page.goto(f"{site.url}/approvals")
    card = page.locator("#waiting li.card", has_text=code)
    expect(card).to_contain_text(t(f"duties_exits.kind_{kind}"))
    card.locator("button.primary").click()
    expect(page.locator("[role=status].notice.success")).to_have_text(
        t("duties_exits.done_confirmed")
    )
    expect(page.locator("#waiting")).not_to_contain_text(code)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_transfer_is_asked_confirmed_and_scanned_in(browser_page, site: WebSite, lang: str):
    t = translator(lang)
    page = browser_page
    code = site.item(description=f"Két sắt ({lang})")
    sign_in(page, site, "manager", lang)
    page.goto(f"{site.url}/items/{code}")
    page.click("#form-transfer summary")
    expect(page.locator('label[for="tr-date"]')).to_have_text(t("sod13b_field.document_date"))
    expect(page.locator('label[for="tr-issuer"]')).to_have_text(t("sod13b_field.document_issuer"))
    ask(page, site, code, "transfer", {"#tr-agency": "B-PROV", **document("tr", "7/QĐ-CT")})
    expect(page.locator("[role=status].notice.success")).to_have_text(t("item.done_transfer"))
    expect(page.locator("#waiting-second-person")).to_contain_text(
        t("duties_exits.item_pending_release")
    )
    # The manager who asked sees the request but cannot decide it.
    page.goto(f"{site.url}/approvals")
    mine = page.locator("#waiting li.card", has_text=code)
    expect(mine).to_contain_text(t("duties_exits.kind_transfer"))
    expect(mine).to_contain_text(t("duties_exits.needs_second_person"))
    expect(mine.locator("button")).to_have_count(0)
    screenshot(page, f"approvals-asked-{lang}")

    confirm_as_second_manager(page, site, code, lang, "transfer")
    page.goto(f"{site.url}/items/{code}")
    expect(page.locator("#waiting-second-person")).to_contain_text(
        t("duties_exits.item_in_transit")
    )

    # The receiving agency's keeper finds it on the road to them and scans it in.
    sign_in(page, site, "other-keeper", lang)
    page.goto(f"{site.url}/approvals")
    coming = page.locator("#in-transit li.card", has_text=code)
    expect(coming).to_contain_text(t("duties_exits.to_agency", agency="B-PROV"))
    screenshot(page, f"approvals-in-transit-{lang}")
    coming.locator('input[name="location_code"]').fill("X1")
    coming.locator("button.primary").click()
    expect(page.locator("[role=status].notice.success")).to_have_text(
        t("duties_exits.done_received")
    )
    expect(page.locator("#in-transit")).not_to_contain_text(code)
    page.goto(f"{site.url}/items/{code}")
    expect(page.locator("#waiting-second-person")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(t("status.stored"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_release_needs_a_second_manager_twice(browser_page, site: WebSite, lang: str):
    """The disposition change the judgment ordered, then the release itself: each is asked
    by one manager and confirmed by another."""
    t = translator(lang)
    page = browser_page
    code = site.item(description=f"Xe máy ({lang})")
    sign_in(page, site, "manager", lang)
    ask(
        page,
        site,
        code,
        "disposition",
        {"select#di-disposition": "return_to_owner", **document("di", "5/2026/QĐ")},
    )
    expect(page.locator("[role=status].notice.success")).to_have_text(t("item.done_disposition"))
    confirm_as_second_manager(page, site, code, lang, "disposition")

    sign_in(page, site, "manager", lang)
    ask(
        page,
        site,
        code,
        "release",
        {"#rel-recipient": "Ông Nguyễn Văn A", **document("rel", "12/BB")},
    )
    expect(page.locator("[role=status].notice.success")).to_have_text(t("item.done_release"))
    expect(page.locator("main")).to_contain_text(t("status.pending_release"))
    confirm_as_second_manager(page, site, code, lang, "release")
    page.goto(f"{site.url}/items/{code}")
    expect(page.locator("main")).to_contain_text(t("status.released"))
    screenshot(page, f"item-released-{lang}")
