"""The `make demo` page in headless Chromium: register, see the ticket, check in, announce."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
WAIT = 30_000  # milliseconds: the bot process shares two cores with the rest of the suite
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`python -m emulator.demo` as `make demo` runs it, on a fresh database and a free port."""
    folder = tmp_path_factory.mktemp("demo")
    database = folder / "demo.sqlite3"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator.demo", "--database", str(database), "--port", str(port)],
        cwd=folder,
        env=env | {"PYTHONPATH": str(ROOT)},
        stdout=(folder / "demo.out").open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while "Demo: open" not in (folder / "demo.out").read_text(errors="replace"):
        assert process.poll() is None, (folder / "demo.out").read_text(errors="replace")
        assert time.monotonic() < deadline, "the demo did not start in 120 s"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", database
    # Ctrl-C stops everything: the web page, the bot process and the emulator.
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0, (folder / "demo.out").read_text(errors="replace")
    assert "Demo stopped." in (folder / "demo.out").read_text(errors="replace")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Debian's chromium is needed: apt-get install -y chromium (.ci/run does)"
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        # A fresh profile folder per run: Playwright passes it as --user-data-dir.
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield context
        context.close()


def send(page: Page, text: str) -> None:
    page.locator("#text").fill(text)
    page.locator("#text").press("Enter")


def bubble(page: Page, text: str) -> object:
    return page.locator(".msg", has_text=text).last


def click(page: Page, label: str) -> None:
    """Press the newest inline or reply-keyboard button with this label, as a person would."""
    button = page.locator(".msg button, .reply button", has_text=label).last
    expect(button).to_be_visible(timeout=WAIT)
    button.click()


def pick(page: Page, title: str) -> None:
    """Press the short numbered button («2. 17 дек.») of the item the message lists by title."""
    listing = page.locator(".msg", has_text=title).last
    expect(listing).to_be_visible(timeout=WAIT)
    lines = listing.inner_text().splitlines()
    line = next(line for line in lines if title in line and line.split(".", 1)[0].isdigit())
    number = line.split(".", 1)[0]
    button = listing.locator("button", has_text=f"{number}. ").first
    button.click()


def wait_text(page: Page, text: str) -> None:
    expect(page.locator(".msg", has_text=text).last).to_be_visible(timeout=WAIT)


def person(page: Page, key: str) -> None:
    page.locator(f'.person[data-person="{key}"]').click()
    expect(page.locator(f'.person[data-person="{key}"]')).to_have_attribute("aria-pressed", "true")


def test_register_check_in_and_announce_by_clicking(
    demo: tuple[str, Path], browser: BrowserContext
) -> None:
    url, database = demo
    page = browser.new_page()
    page.goto(url)

    # The member finds the annual meeting and registers by clicking.
    send(page, "/events")
    pick(page, "Общее собрание")
    click(page, "Зарегистрироваться")
    click(page, "Даю согласие")
    click(page, "Только Тюменская область")
    wait_text(page, "фамилию, имя и отчество")
    send(page, "Анна Петрова")
    wait_text(page, "организацию")
    send(page, "АНО «Дом НКО»")
    wait_text(page, "должность")
    click(page, "Пропустить")
    wait_text(page, "номер телефона")
    page.locator("#share-contact").click()
    wait_text(page, "e-mail")
    click(page, "Пропустить")
    click(page, "Подтвердить")
    wait_text(page, "Вы зарегистрированы!")

    # The ticket is an image that really loaded; the calendar file is a download link.
    ticket = page.locator(".msg img").last
    expect(ticket).to_be_visible(timeout=WAIT)
    assert ticket.evaluate("image => image.complete && image.naturalWidth > 100")
    expect(page.locator(".msg a.document", has_text=".ics").last).to_be_visible(timeout=WAIT)
    with sqlite3.connect(database) as db:
        (code,) = db.execute(
            "SELECT short_code FROM registrations WHERE person_id = 200001"
        ).fetchone()
    assert code in (ticket.locator("xpath=..").inner_text())

    # The organizer, in her own chat, checks the member in by the code under the QR.
    person(page, "organizer")
    send(page, f"/checkin {code}")
    click(page, "Отметить приход")
    wait_text(page, "Пришли 1 из")

    # Then announces to the people of the event; it arrives in the member's chat.
    send(page, "/announce")
    wait_text(page, "сообщение")
    send(page, "Зал поменялся: 2 этаж, аудитория 204")
    click(page, "Участникам мероприятия")
    wait_text(page, "Участникам какого мероприятия?")
    pick(page, "Общее собрание")
    click(page, "Подтверждённые —")
    click(page, "Отправить сейчас")
    person(page, "member")
    expect(page.locator("#who")).to_contain_text("Анна")
    wait_text(page, "Зал поменялся: 2 этаж, аудитория 204")
    assert "Вы зарегистрированы!" in page.locator("#messages").inner_text()
