"""`make demo`: the real bot against the emulator, with a Telegram-like chat page in the browser."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from .fake import FakeTelegram
from .models import FakeUser, SentMessage, UserMessage

# A fixed fake token: the demo never talks to Telegram, so nothing secret is needed.
DEMO_TOKEN = "100000001:DEMO-token-for-the-local-emulator"
DAY = 86_400.0
# The reminder due at "1 day before" is this many seconds overdue after the jump.
JUMP_MARGIN = 30.0


@dataclass(frozen=True)
class Persona:
    key: str
    user_id: int
    first_name: str
    role: str


PEOPLE = (
    Persona("member", 200_001, "Анна", "member"),
    Persona("member2", 200_002, "Борис", "member"),
    Persona("organizer", 200_003, "Ольга", "organizer"),
    Persona("admin", 200_004, "Андрей", "admin"),
)
# Tyumen, near the Technopark: the "send my location" button sends this point.
DEMO_LOCATION = (57.1530, 65.5343)


class DemoStack:
    """The emulator, the bot process on a demo database, and what the page needs from them."""

    def __init__(self, database: Path, *, api_port: int = 0, log_path: Path | None = None) -> None:
        self.database = database
        self.tg = FakeTelegram(DEMO_TOKEN, port=api_port, bot_username="ngo_events_demo_bot")
        self.users: dict[str, FakeUser] = {}
        self.log_path = log_path or database.with_suffix(".log")
        self.process: subprocess.Popen[bytes] | None = None
        self.clock_shift = 0.0

    def environment(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
        admin = next(p.user_id for p in PEOPLE if p.role == "admin")
        return base | {
            "BOT_TOKEN": DEMO_TOKEN,
            "TELEGRAM_API_URL": self.tg.base_url,
            "DATABASE_PATH": str(self.database),
            "ADMIN_IDS": str(admin),
            "POLLING_TIMEOUT": "5",
            "DEMO_CLOCK_SHIFT": str(self.clock_shift),
        }

    def start(self) -> None:
        self.database.parent.mkdir(parents=True, exist_ok=True)
        self.tg.start()
        subprocess.run(
            [sys.executable, "-m", "bot", "seed-demo"],
            env=self.environment(),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for person in PEOPLE:
            self.users[person.key] = self.tg.user(
                person.first_name, id=person.user_id, language_code="ru"
            )
        self.start_bot()
        self.grant_organizer()

    def start_bot(self) -> None:
        polls = len(self.tg.calls_to("getUpdates"))
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while len(self.tg.calls_to("getUpdates")) <= polls:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the bot did not start; see {self.log_path}")
            time.sleep(0.05)

    def stop_bot(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stop(self) -> None:
        self.stop_bot()
        self.tg.stop()

    def grant_organizer(self) -> None:
        """The organizer starts the bot, then gets the role, as an admin's /organizers would."""
        organizer = next(p for p in PEOPLE if p.role == "organizer")
        with self._db() as db:
            known = db.execute("SELECT role FROM people WHERE id = ?", (organizer.user_id,))
            row = known.fetchone()
        if row is None:
            self.tg.send_text(self.users[organizer.key], "/start")
            self.tg.wait_for_message(self.users[organizer.key], timeout=30)
        with self._db() as db:
            db.execute(
                "UPDATE people SET role = 'organizer' WHERE id = ? AND role <> 'organizer'",
                (organizer.user_id,),
            )
            # The demo events become hers, so /manage, /checkin and /announce show them.
            db.execute(
                "UPDATE events SET owner_id = ? WHERE owner_id IS NULL", (organizer.user_id,)
            )

    @contextlib.contextmanager
    def _db(self) -> Any:
        connection = sqlite3.connect(self.database, timeout=10)
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    # -- the clock --------------------------------------------------------------------------

    def jump(self, to: str) -> str:
        """Restart the bot with its clock at `to`: "day-before" or "after" the next event, or
        "now"; the start-up sweep then sends the reminders that came due."""
        if to == "now":
            shift = 0.0
        else:
            now = time.time()
            with self._db() as db:
                row = db.execute(
                    "SELECT e.starts_at, e.ends_at FROM events e WHERE e.status = 'published'"
                    " AND e.starts_at > ? ORDER BY EXISTS (SELECT 1 FROM registrations r"
                    " WHERE r.event_id = e.id AND r.status = 'confirmed') DESC, e.starts_at"
                    " LIMIT 1",
                    (now + self.clock_shift,),
                ).fetchone()
            if row is None:
                return "no upcoming event"
            starts_at, ends_at = row
            target = starts_at - DAY + JUMP_MARGIN if to == "day-before" else ends_at + 3 * 3600
            shift = max(0.0, target - now)
        self.stop_bot()
        self.clock_shift = shift
        self.start_bot()
        return "ok"

    # -- what the page shows ----------------------------------------------------------------

    def chat(self, key: str) -> dict[str, Any]:
        user = self.users[key]
        state = self.tg.state
        with state.cond:
            chat = state.register_user(user)
            items = [_message_json(m) for m in chat.by_id.values() if not m.deleted]
            keyboard: list[list[dict[str, Any]]] | None = None
            for message in reversed(chat.messages):
                markup = message.reply_markup or {}
                if "keyboard" in markup:
                    keyboard = markup["keyboard"]
                    break
                if markup.get("remove_keyboard"):
                    break
        return {"messages": items, "keyboard": keyboard}

    def file(self, file_id: str) -> tuple[bytes, str, str] | None:
        with self.tg.state.cond:
            stored = self.tg.state.files.get(file_id)
        if stored is None:
            return None
        name = stored.filename or f"{stored.kind}-{stored.file_unique_id}"
        return stored.data, name, stored.mime_type or "application/octet-stream"


def _message_json(message: SentMessage | UserMessage) -> dict[str, Any]:
    if isinstance(message, UserMessage):
        payload = message.payload
        return {
            "id": message.message_id,
            "out": True,
            "text": message.text or message.caption or "",
            "entities": [],
            "contact": payload.get("contact"),
            "location": payload.get("location"),
        }
    file = message.file
    return {
        "id": message.message_id,
        "out": False,
        "text": message.plain if message.plain is not None else (message.caption_plain or ""),
        "entities": message.entities if message.plain is not None else message.caption_entities,
        "media": message.media_type,
        "file": None
        if file is None
        else {"id": file.file_id, "name": file.filename, "mime": file.mime_type},
        "location": message.location,
        "venue": message.venue,
        "inline": (message.reply_markup or {}).get("inline_keyboard"),
        "edited": message.edit_date is not None,
    }


# -- the web page ---------------------------------------------------------------------------


def create_web_app(stack: DemoStack) -> web.Application:
    app = web.Application()
    page = resources.files("emulator") / "demo_page" / "index.html"

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=page.read_text(encoding="utf-8"), content_type="text/html")

    async def people(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "people": [
                    {"key": p.key, "name": p.first_name, "role": p.role, "id": p.user_id}
                    for p in PEOPLE
                ],
                "clock": time.time() + stack.clock_shift,
                "bot": "ngo_events_demo_bot",
            }
        )

    def who(request: web.Request) -> FakeUser:
        key = request.match_info["who"]
        if key not in stack.users:
            raise web.HTTPNotFound(text="no such person")
        return stack.users[key]

    async def chat(request: web.Request) -> web.Response:
        who(request)
        return web.json_response(stack.chat(request.match_info["who"]))

    async def send(request: web.Request) -> web.Response:
        body = await request.json()
        text = str(body.get("text", "")).strip()
        if text:
            stack.tg.send_text(who(request), text)
        return web.json_response({"ok": True})

    async def press(request: web.Request) -> web.Response:
        user = who(request)
        body = await request.json()
        message = stack.tg.message(user, int(body["message_id"]))
        stack.tg.press_button(user, message, data=str(body["data"]))
        return web.json_response({"ok": True})

    async def contact(request: web.Request) -> web.Response:
        user = who(request)
        stack.tg.send_contact(user, f"+7912{user.id % 10_000_000:07d}")
        return web.json_response({"ok": True})

    async def location(request: web.Request) -> web.Response:
        stack.tg.send_location(who(request), *DEMO_LOCATION)
        return web.json_response({"ok": True})

    async def download(request: web.Request) -> web.Response:
        found = stack.file(request.match_info["file_id"])
        if found is None:
            raise web.HTTPNotFound(text="no such file")
        data, name, mime = found
        disposition = "inline" if mime.startswith("image/") else "attachment"
        return web.Response(
            body=data,
            content_type=mime,
            headers={"Content-Disposition": f'{disposition}; filename="{name}"'},
        )

    async def clock(request: web.Request) -> web.Response:
        body = await request.json()
        to = str(body.get("to", "now"))
        if to not in ("now", "day-before", "after"):
            raise web.HTTPBadRequest(text="to: now, day-before or after")
        outcome = await asyncio.to_thread(stack.jump, to)
        return web.json_response({"outcome": outcome, "clock": time.time() + stack.clock_shift})

    app.router.add_get("/", index)
    app.router.add_get("/api/people", people)
    app.router.add_get("/api/chat/{who}", chat)
    app.router.add_post("/api/send/{who}", send)
    app.router.add_post("/api/press/{who}", press)
    app.router.add_post("/api/contact/{who}", contact)
    app.router.add_post("/api/location/{who}", location)
    app.router.add_get("/api/file/{file_id}", download)
    app.router.add_post("/api/clock", clock)
    return app


async def serve(stack: DemoStack, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(create_web_app(stack))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.demo", description=__doc__)
    parser.add_argument("--database", type=Path, default=Path("data/demo.sqlite3"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    stack = DemoStack(args.database)
    print("Starting the emulator and the bot ...", flush=True)
    stack.start()

    async def run() -> None:
        runner = await serve(stack, args.host, args.port)
        print(f"Demo: open http://{args.host}:{args.port}  (Ctrl-C stops it)", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await runner.cleanup()

    try:
        asyncio.run(run())
    finally:
        stack.stop()
        print("Demo stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
