"""The real bot process (`python -m bot`) started against the fake Bot API server."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from emulator import FakeTelegram
from tests.kit.process import clean_environment


class BotProcess:
    """One bot process on a given database; can be killed and started again on the same file."""

    def __init__(
        self,
        tg: FakeTelegram,
        db_path: Path,
        env: dict[str, str] | None = None,
        workdir: Path | None = None,
        ready_method: str = "getUpdates",
    ) -> None:
        self.tg = tg
        self.db_path = db_path
        self.workdir = workdir or db_path.parent
        self.log_path = self.workdir / "bot.log"
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        # The call that says start-up is done: getUpdates, or setWebhook in webhook mode.
        self.ready_method = ready_method

    def environment(self) -> dict[str, str]:
        return (
            clean_environment()
            | {
                "BOT_TOKEN": self.tg.token,
                "TELEGRAM_API_URL": self.tg.base_url,
                "DATABASE_PATH": str(self.db_path),
                "POLLING_TIMEOUT": "1",
                "LOG_LEVEL": "INFO",
                "ADMIN_IDS": "",
            }
            | self.extra_env
        )

    def start(self, timeout: float = 60.0) -> None:
        """Spawn the process and return once it long-polls (start-up hooks are done)."""
        assert self.process is None or self.process.poll() is not None, "already running"
        polls_before = len(self.tg.calls_to(self.ready_method))
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n--- start #{self.starts} ---\n".encode())
            log.flush()
            # The working folder has no .env, so only the environment above configures it.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=self.workdir,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while len(self.tg.calls_to(self.ready_method)) <= polls_before:
            if self.process.poll() is not None:
                raise AssertionError(f"bot exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"bot did not start polling in {timeout}s:\n{self.log()}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, like a power cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 20.0, sig: signal.Signals = signal.SIGTERM) -> int:
        """SIGTERM (or `sig`) and wait for a clean exit; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
                raise AssertionError(
                    f"bot ignored {sig.name} for {timeout}s:\n{self.log()}"
                ) from None
        return self.process.returncode

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
