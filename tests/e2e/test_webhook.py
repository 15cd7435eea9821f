"""Webhook mode, real process: Telegram posts updates with the secret; others are refused."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from emulator import FakeTelegram
from tests.e2e.harness import BotProcess

PUBLIC_URL = "https://bot.example.org/tg/webhook"
SECRET = "s3cret_token-for-the-e2e-webhook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def webhook_bot(
    tg: FakeTelegram, port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    # The reverse proxy: Telegram posts to the public https URL, the bot listens locally.
    tg.route_webhook("https://bot.example.org", f"http://127.0.0.1:{port}")
    workdir = tmp_path_factory.mktemp("webhook")
    process = BotProcess(
        tg,
        workdir / "bot.sqlite3",
        env={
            "WEBHOOK_URL": PUBLIC_URL,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        },
        ready_method="setWebhook",
    )
    process.start()
    yield process
    assert process.stop() == 0, process.log()
    log = process.log()
    assert log.rstrip().endswith("stopped cleanly"), log
    assert SECRET not in log
    assert tg.calls_to("deleteWebhook"), "the webhook was not removed at stop"
    assert tg.webhook_url == ""


def post(port: int, update: dict[str, object], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/tg/webhook",
        data=json.dumps(update).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_start_registers_the_webhook_with_the_secret_and_never_polls(
    tg: FakeTelegram, webhook_bot: BotProcess
) -> None:
    [call] = tg.calls_to("setWebhook")
    assert call.params["url"] == PUBLIC_URL
    assert call.params["secret_token"] == SECRET
    assert tg.webhook_secret == SECRET
    assert tg.calls_to("getUpdates") == []


def test_updates_posted_with_the_secret_are_handled(
    tg: FakeTelegram, webhook_bot: BotProcess
) -> None:
    anna = tg.user(first_name="Анна", language_code="ru")
    tg.send_text(anna, "/start")
    greeting = tg.wait_for_message(anna, contains="Выберите язык")
    tg.press_button(anna, greeting, text="Русский")
    tg.wait_for_edit(anna, greeting, contains="Язык: русский")
    tg.send_text(anna, "/help")
    tg.wait_for_message(anna, contains="/language")
    # An update leaves Telegram's queue once the bot answered 200: recorded, then handled.
    tg.wait_until(lambda: not tg.pending_updates, message="updates left undelivered")
    deliveries = tg.webhook_deliveries()
    assert len(deliveries) == 3
    assert {delivery.status for delivery in deliveries} == {200}


def test_a_wrong_or_missing_secret_is_refused_and_not_handled(
    tg: FakeTelegram, webhook_bot: BotProcess, port: int
) -> None:
    mallory = tg.user(first_name="Mallory", language_code="en")
    forged = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1_790_000_000,
            "chat": {"id": mallory.id, "type": "private", "first_name": "Mallory"},
            "from": {"id": mallory.id, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    assert post(port, forged, "not-the-secret") == 401
    assert post(port, forged, None) == 401
    # A genuine update after them is handled; the forged ones never were.
    boris = tg.user(first_name="Борис", language_code="ru")
    tg.send_text(boris, "/start")
    tg.wait_for_message(boris, contains="Выберите язык")
    assert all(call.chat_id != mallory.id for call in tg.calls)
    assert tg.messages(mallory) == []


def test_updates_sent_while_the_bot_is_down_arrive_after_the_restart(
    tg: FakeTelegram, webhook_bot: BotProcess
) -> None:
    vera = tg.user(first_name="Вера", language_code="ru")
    # SIGKILL: the webhook stays registered and Telegram's posts meet a closed port.
    webhook_bot.kill()
    tg.send_text(vera, "/start")
    tg.wait_until(
        lambda: any(d.status == 0 for d in tg.webhook_deliveries()),
        message="the fake did not try the dead webhook",
    )
    webhook_bot.start()
    tg.wait_for_message(vera, contains="Выберите язык")
    # After a clean stop the webhook is removed; Telegram keeps the update for the next start.
    assert webhook_bot.stop() == 0
    assert tg.webhook_url == ""
    tg.send_text(vera, "/help")
    webhook_bot.start()
    tg.wait_for_message(vera, contains="/language")


def test_an_update_answered_200_and_killed_mid_handling_is_handled_after_the_restart(
    tg: FakeTelegram, webhook_bot: BotProcess
) -> None:
    gleb = tg.user(first_name="Глеб", language_code="ru")
    # The greeting hangs in Telegram long enough to kill the bot while it handles /start.
    tg.faults.add("sendMessage", "slow", delay=30, chat_id=gleb.id)
    tg.send_text(gleb, "/start")
    tg.wait_until(
        lambda: [c for c in tg.calls_to("sendMessage") if c.chat_id == gleb.id],
        message="the bot never started answering",
    )
    assert not tg.pending_updates  # Telegram was told: the update is the bot's now
    webhook_bot.kill()
    webhook_bot.start()
    # Recorded before the 200, so the restarted bot redoes it (the hung call was the first).
    tg.wait_until(
        lambda: len([c for c in tg.calls_to("sendMessage") if c.chat_id == gleb.id]) >= 2,
        message="the recorded update was not redone",
    )
    tg.wait_for_message(gleb, contains="Здравствуйте")
    assert "redid 1 unfinished updates" in webhook_bot.log()
