"""The aiohttp side of the fake Bot API: routing, body parsing, faults and long polling."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
import time
import traceback
from typing import Any

from aiohttp import BodyPartReader, web

from .faults import Fault
from .methods import MEDIA_KINDS, SEND_METHODS, BotApi
from .models import ApiCall
from .params import ApiError, Params, UploadedPart
from .state import TelegramState
from .webhook import WebhookPusher

__all__ = ["FakeServer"]

logger = logging.getLogger("tests.fake_telegram")

_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
# Multipart file parts under these names are the field itself (not an attach:// target).
_FILE_FIELDS = frozenset({*MEDIA_KINDS, "thumbnail", "certificate"})
_WAKE_UPDATE = "update"
_WAKE_CONFLICT = "conflict"
_WAKE_STOP = "stop"


def _json_response(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type="application/json",
    )


def _error_response(error: ApiError) -> web.Response:
    return _json_response(error.to_json(), error.status)


def _fault_error(fault: Fault) -> ApiError:
    if fault.kind == "429":
        return ApiError(
            429,
            fault.description or f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
        )
    if fault.kind == "403":
        return ApiError(403, fault.description or "Forbidden: bot was blocked by the user")
    if fault.kind == "500":
        return ApiError(500, fault.description or "Internal Server Error")
    return ApiError(400, fault.description or "Bad Request: chat not found")


class FakeServer:
    """Runs the fake Bot API on its own event loop in a background thread."""

    def __init__(
        self,
        state: TelegramState,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_requests: bool = False,
    ) -> None:
        self.state = state
        self.api = BotApi(state)
        self.host = host
        self.port = port
        self.log_requests = log_requests
        self.server_errors: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._stopping = False
        self._poller: asyncio.Future[str] | None = None
        self._webhook: WebhookPusher | None = None

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            raise RuntimeError("the fake Telegram server is already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = int(sock.getsockname()[1])
        self._stopping = False
        self._ready.clear()
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name=f"fake-telegram-{self.port}", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the fake Telegram server did not start in time")
        if self._start_error is not None:
            self._thread.join(timeout)
            self._thread = None
            raise RuntimeError("the fake Telegram server failed to start") from self._start_error

    def stop(self, timeout: float = 5.0) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if thread.is_alive():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout)
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)
        self.state.on_update = None
        self._thread = None
        self._loop = None

    def _run(self, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            try:
                loop.run_until_complete(self._startup(sock))
            except BaseException as error:
                self._start_error = error
                sock.close()
                return
            finally:
                self._ready.set()
            loop.run_forever()
        finally:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _startup(self, sock: socket.socket) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # No access log: benchmarks push thousands of requests through here.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.SockSite(self._runner, sock)
        await site.start()
        loop = asyncio.get_running_loop()

        self._webhook = WebhookPusher(self.state)
        self._webhook.start()
        pusher = self._webhook

        def notify() -> None:
            loop.call_soon_threadsafe(self._wake, _WAKE_UPDATE)
            loop.call_soon_threadsafe(pusher.wakeup.set)

        self.state.on_update = notify

    async def _shutdown(self) -> None:
        self._stopping = True
        self._wake(_WAKE_STOP)
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _wake(self, reason: str) -> None:
        poller = self._poller
        if poller is not None and not poller.done():
            poller.set_result(reason)

    # -- requests -------------------------------------------------------------------------

    async def _read_params(self, request: web.Request) -> Params:
        raw: dict[str, Any] = dict(request.query.items())
        files: dict[str, UploadedPart] = {}
        if request.method == "POST" and request.body_exists:
            content_type = request.content_type
            if content_type == "multipart/form-data":
                reader = await request.multipart()
                while True:
                    part = await reader.next()
                    if part is None:
                        break
                    if not isinstance(part, BodyPartReader) or part.name is None:
                        continue
                    if part.filename is not None:
                        upload = UploadedPart(
                            data=bytes(await part.read(decode=True)),
                            filename=part.filename,
                            content_type=part.headers.get("Content-Type"),
                        )
                        files[part.name] = upload
                        if part.name in _FILE_FIELDS:
                            raw[part.name] = upload
                    else:
                        raw[part.name] = await part.text()
            elif content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON body") from None
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: JSON body must be an object")
                raw.update(body)
            elif content_type == "application/x-www-form-urlencoded":
                form = await request.post()
                raw.update((key, value) for key, value in form.items() if isinstance(value, str))
        return Params(raw, files)

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        state = self.state
        if request.match_info["token"] != state.token:
            return _error_response(ApiError(401, "Unauthorized"))
        key = request.match_info["method"].lower()
        handler = self.api.handlers.get(key)
        if handler is None:
            return _error_response(ApiError(404, "Not Found"))
        try:
            params = await self._read_params(request)
        except ApiError as error:
            return _error_response(error)
        chat_id = params.values.get("chat_id")
        if not isinstance(chat_id, int | str) or isinstance(chat_id, bool):
            chat_id = None
        call = ApiCall(
            method=self.api.canonical[key],
            params=params.values,
            time=time.monotonic(),
            chat_id=chat_id,
        )
        state.record_call(call)
        response = await self._answer(request, key, params, call)
        if self.log_requests:
            logger.info("%s %s -> %s %s", call.method, call.params, call.status, call.description)
        with state.cond:
            state.cond.notify_all()
        return response

    async def _answer(
        self, request: web.Request, key: str, params: Params, call: ApiCall
    ) -> web.StreamResponse:
        state = self.state
        fault = state.faults.take(key, call.chat_id)
        if fault is not None:
            if fault.kind == "drop":
                call.description = "dropped"
                if request.transport is not None:
                    request.transport.abort()
                return web.Response()
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            else:
                return self._fail(call, _fault_error(fault))
        if key in SEND_METHODS and state.limiter.enabled and not state.limiter.allow(call.chat_id):
            return self._fail(
                call,
                ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1}),
            )
        try:
            if key == "getupdates":
                result = await self._get_updates(params)
            else:
                with state.cond:
                    result = self.api.handlers[key](params)
        except ApiError as error:
            return self._fail(call, error)
        except Exception:  # a bug in the fake must not look like a Telegram answer
            details = traceback.format_exc()
            self.server_errors.append(details)
            logger.error("fake Telegram server error in %s:\n%s", call.method, details)
            return self._fail(call, ApiError(500, f"Internal Server Error: {details[-500:]}"))
        call.status = 200
        return _json_response({"ok": True, "result": result})

    @staticmethod
    def _fail(call: ApiCall, error: ApiError) -> web.Response:
        call.status = error.status
        call.description = error.description
        return _error_response(error)

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        state = self.state
        loop = asyncio.get_running_loop()
        timeout = max(0, params.get_int("timeout", 0) or 0)
        deadline = loop.time() + timeout
        # Like Telegram, a new getUpdates terminates the one still waiting with 409.
        self._wake(_WAKE_CONFLICT)
        with state.cond:
            state.get_updates_calls += 1
        while True:
            with state.cond:
                result = self.api.get_updates_now(params)
                remaining = deadline - loop.time()
                if result or self._stopping or remaining <= 0:
                    return result
                waiter: asyncio.Future[str] = loop.create_future()
                self._poller = waiter
                state.pollers_waiting += 1
                state.cond.notify_all()
            try:
                reason = await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                reason = "timeout"
            finally:
                with state.cond:
                    state.pollers_waiting -= 1
                    state.cond.notify_all()
                if self._poller is waiter:
                    self._poller = None
            if reason == _WAKE_CONFLICT:
                raise ApiError(409, _CONFLICT)
            if reason == _WAKE_STOP:
                return []

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.state.token:
            return _error_response(ApiError(401, "Unauthorized"))
        with self.state.cond:
            stored = self.state.files_by_path.get(request.match_info["path"])
        if stored is None:
            return _error_response(ApiError(404, "Not Found"))
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
