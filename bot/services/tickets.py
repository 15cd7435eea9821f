"""Tickets: the check-in link a QR code carries, and the QR image itself."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from bot.deeplinks import link


def ticket_link(bot_username: str, token: str) -> str:
    """What the organizer's phone camera opens at the door: the bot, checking this ticket in."""
    return link(bot_username, "ci", token)


def qr_png(data: str, box_size: int = 10) -> bytes:
    """A PNG QR code of `data`, big enough to scan from a phone screen held up at the door."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
