"""The bot's real process in tests: a clean environment and `python -m bot` run to its end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def clean_environment() -> dict[str, str]:
    """This environment without the bot's own settings (a developer's BOT_* must not leak in),
    with the worktree importable."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    return clean | {"PYTHONPATH": str(ROOT)}


def run_bot(workdir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` run to its end in `workdir`, its output captured. The folder has no
    .env, so only `env` configures it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
