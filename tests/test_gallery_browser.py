"""The gallery at a desktop's, a phone's and a narrow phone's size: a board named as it is
created, or when it is first shared; cards whose footers line up; search and order. Screenshots
go to ``tests/artifacts/``."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.live_server import LiveServer
from tests.test_first_visit_browser import SAVED, SCREENS, assert_on_screen, keep, visit
from tests.test_gallery import submit_stroke

pytestmark = pytest.mark.browser

PUBLIC = [{"INKROOM_PUBLIC_GALLERY": "true"}]


@pytest.fixture(params=list(SCREENS))
def screen(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def shown_titles(page: Page) -> list[str]:
    """The titles of the cards on show, in the gallery's order."""
    titles: list[str] = page.locator("#board-list .card:visible a.card-link").all_text_contents()
    return titles


def leave_name_for_later(page: Page) -> None:
    if page.evaluate("localStorage.getItem('inkroom.named')") != "1":  # the first visit offers
        page.locator("#name-dialog .name-later").click()


def test_a_board_named_beside_new_board_opens_under_that_name_and_is_listed_so(
    server: LiveServer, browser: Browser, screen: str
) -> None:
    page = visit(browser, screen)
    page.goto(server.url)
    for control in ("#new-title", "#new-board", ".protect", "label[for=import-file]", ".brand"):
        assert_on_screen(page, page.locator(control))
    page.locator("#new-title").fill("  Garden plan  ")
    keep(page, f"gallery-new-named-{screen}")
    page.locator("#new-title").press("Enter")  # Enter in the field creates it, as the button does
    page.wait_for_url("**/b/**")
    leave_name_for_later(page)
    expect(page.locator("#title")).to_have_text("Garden plan")
    expect(page).to_have_title("Garden plan · inkroom")
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)

    page.locator(".home-link").click()
    page.wait_for_url(f"{server.url}/")
    expect(page.locator("#board-list a.card-link")).to_have_text(["Garden plan"])
    expect(page.locator("#gallery-tools")).to_be_hidden()  # one board needs no search


@pytest.mark.parametrize("server", PUBLIC, indirect=True)
def test_cards_line_up_and_the_gallery_is_searched_by_title_and_sorted(
    server: LiveServer, browser: Browser, screen: str
) -> None:
    # Created in this order; two are drawn on (a thumbnail), the others stay empty.
    titles = ["Zebra crossing", "apple orchard", "Café floor plan", "Board 10", "Board 9"]
    ids = {title: server.create_board(title) for title in titles}
    for drawn in ("Café floor plan", "Zebra crossing"):  # the last drawn on is the last changed
        submit_stroke(server, ids[drawn])

    page = visit(browser, screen)
    page.goto(server.url)
    cards = page.locator("#board-list .card")
    expect(cards).to_have_count(5)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.card .thumb:not(.blank) img')]
            .every((image) => image.complete && image.naturalWidth > 0)"""
    )
    # Each row's cards, empty boards' and drawn ones', end at the same height, footers too.
    rows: dict[float, list[tuple[float, float]]] = {}
    for item in cards.all():
        card, footer = item.bounding_box(), item.locator(".card-body").bounding_box()
        assert card is not None and footer is not None
        rows.setdefault(round(card["y"]), []).append(
            (card["y"] + card["height"], footer["y"] + footer["height"])
        )
    assert any(len(row) > 1 for row in rows.values()), rows
    for row in rows.values():
        assert max(b for b, _ in row) - min(b for b, _ in row) < 1, rows
        assert max(f for _, f in row) - min(f for _, f in row) < 1, rows
    heights = {round(box["height"]) for box in (c.bounding_box() for c in cards.all()) if box}
    assert len(heights) == 1, heights  # every card the same size, whatever its row
    assert_on_screen(page, page.locator("#board-search"))
    assert_on_screen(page, page.locator("#board-sort"))
    expect(page.locator("#board-sort")).to_have_value("updated")
    assert shown_titles(page)[:2] == ["Zebra crossing", "Café floor plan"]
    keep(page, f"gallery-cards-{screen}")

    search = page.locator("#board-search")
    search.fill("cafe")  # no accent, any case
    expect(page.locator("#board-list .card:visible")).to_have_count(1)
    assert shown_titles(page) == ["Café floor plan"]
    expect(page.locator("#board-count")).to_have_text("1 of 5")
    keep(page, f"gallery-search-{screen}")
    search.fill("board")
    expect(page.locator("#board-list .card:visible")).to_have_count(2)
    search.fill("nothing like it")
    expect(page.locator("#board-list .card:visible")).to_have_count(0)
    expect(page.locator("#no-match")).to_have_text("No board\u2019s title has “nothing like it”.")
    search.fill("")
    expect(page.locator("#board-list .card:visible")).to_have_count(5)
    expect(page.locator("#no-match")).to_be_hidden()

    page.locator("#board-sort").select_option("title")
    expect(page.locator("#board-list .card a.card-link")).to_have_text(
        ["apple orchard", "Board 9", "Board 10", "Café floor plan", "Zebra crossing"]
    )
    keep(page, f"gallery-sorted-{screen}")
    page.locator("#board-sort").select_option("created")
    expect(page.locator("#board-list .card a.card-link")).to_have_text(titles[::-1])
    page.reload()  # the order chosen stays
    expect(page.locator("#board-sort")).to_have_value("created")
    expect(page.locator("#board-list .card a.card-link")).to_have_text(titles[::-1])


def test_this_browsers_boards_sort_by_when_they_were_last_opened_here(
    server: LiveServer, browser: Browser
) -> None:
    titles = ["First opened", "Second opened", "Third opened", "Fourth opened"]
    ids = [server.create_board(title) for title in titles]
    page = visit(browser, "desktop")
    for board_id in ids:
        page.goto(f"{server.url}/b/{board_id}")
        leave_name_for_later(page)
        expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
    submit_stroke(server, ids[1])  # changed last, but opened second
    page.goto(server.url)
    expect(page.locator("#board-list .card")).to_have_count(4)
    assert shown_titles(page)[0] == "Second opened"
    page.locator("#board-sort").select_option("opened")
    expect(page.locator("#board-list .card a.card-link")).to_have_text(titles[::-1])
    page.locator("#board-search").fill("third")
    assert shown_titles(page) == ["Third opened"]
    keep(page, "gallery-yours-search-desktop")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_sharing_a_board_nobody_named_offers_to_name_it_first(
    server: LiveServer, browser: Browser, screen: str
) -> None:
    page = visit(browser, screen)
    page.goto(server.url)
    page.locator("#new-board").click()  # no name given
    page.wait_for_url("**/b/**")
    leave_name_for_later(page)
    expect(page.locator("#title")).to_have_text("Untitled board")
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
    other = visit(browser, "desktop")
    other.goto(page.url.split("#")[0])
    expect(other.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)

    page.click("#menu-button")
    page.click("#share")
    offer = page.locator("#share-name")
    assert_on_screen(page, offer)
    keep(page, f"share-offers-a-name-{screen}")
    page.locator("#share-title").fill("Team offsite")
    page.locator("#share-title").press("Enter")  # saves the name; the dialog stays
    expect(offer).to_be_hidden()
    expect(page.locator("#share-dialog")).to_be_visible()
    expect(page.locator("#title")).to_have_text("Team offsite")
    expect(other.locator("#title")).to_have_text("Team offsite", timeout=SAVED)  # everyone's
    page.click("#share-dialog button.primary")

    page.click("#menu-button")
    page.click("#share")  # named now: nothing more to offer
    expect(page.locator("#share-dialog")).to_be_visible()
    expect(offer).to_be_hidden()
    page.click("#share-dialog button.primary")

    page.locator(".home-link").click()
    expect(page.locator("#board-list a.card-link")).to_have_text(re.compile("Team offsite"))


def test_a_name_typed_in_the_share_dialog_is_kept_when_it_closes_with_done(
    server: LiveServer, browser: Browser
) -> None:
    page = visit(browser, "desktop")
    page.goto(f"{server.url}/b/{server.create_board()}")
    leave_name_for_later(page)
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
    page.click("#menu-button")
    page.click("#share")
    page.locator("#share-title").fill("Named on the way out")
    page.click("#share-dialog button.primary")
    expect(page.locator("#title")).to_have_text("Named on the way out", timeout=SAVED)
