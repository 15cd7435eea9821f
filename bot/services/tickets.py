"""Tickets: the check-in link a QR code carries, the QR image, a ticket that describes itself."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from bot.deeplinks import link

if TYPE_CHECKING:
    from PIL import Image
    from PIL.ImageFont import FreeTypeFont


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


def _qr_image(data: str, side: int) -> Image.Image:
    """The QR code of `data` as a grey image `side` pixels wide, quiet zone included: one
    pixel per module, scaled up, with no PNG written and read back on the way."""
    from PIL import Image

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = Image.new("L", (len(matrix), len(matrix)), 255)
    modules.putdata([0 if dark else 255 for row in matrix for dark in row])
    return modules.resize((side, side), Image.Resampling.NEAREST)


@dataclass(frozen=True, slots=True)
class TicketText:
    """What the ticket says beside its QR, already in the person's language."""

    name: str  # «Иванова Мария Петровна»
    title: str  # «Круглый стол «Роль СО НКО…»»
    moment: str  # «четверг, 17 декабря, 14:00–16:30 по местному времени (МСК+2)»
    place: str  # «Точка кипения, ул. Республики 142, Тюмень»
    code: str  # the short code, printed large for reading aloud at the door
    code_label: str = ""  # «Код билета» / "Ticket code"


TICKET_WIDTH = 1200
QR_SIDE = 480
MARGIN = 40
GAP = 40
TEXT_WIDTH = TICKET_WIDTH - QR_SIDE - 2 * MARGIN - GAP
TITLE_LINES = 5  # a longer title ends with «…»: the whole one is in the caption
OTHER_LINES = 3


def _font_folder() -> Path:
    # DejaVu has Cyrillic; matplotlib (already a dependency) ships it. Found without importing
    # matplotlib: that import costs ~55 MB and a CPU second, and the first ticket would pay it.
    spec = find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib is not installed: tickets need its DejaVu fonts")
    return Path(spec.submodule_search_locations[0], "mpl-data", "fonts", "ttf")


@lru_cache(maxsize=8)
def _font(name: str, size: int) -> FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(_font_folder() / name), size)


def _split_long_word(word: str, font: FreeTypeFont, width: int) -> list[str]:
    if font.getlength(word) <= width:
        return [word]  # nearly every word: one measurement instead of one per letter
    pieces, current = [], ""
    for char in word:
        if current and font.getlength(current + char) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current] if current else pieces


def wrap_to_width(text: str, font: FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Lines of `text` no wider than `width` pixels; past `max_lines` the last ends with «…»."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        for piece in _split_long_word(word, font, width):
            candidate = f"{current} {piece}" if current else piece
            if font.getlength(candidate) <= width:
                current = candidate
            else:
                lines.append(current)
                current = piece
    if current:
        lines.append(current)
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1]
    return [*lines[: max_lines - 1], last.rstrip() + "…"]


def ticket_png(qr_data: str, text: TicketText) -> bytes:
    """A PNG ticket: the QR on the left; the name, event, moment, place and code on the right.

    The width is fixed and the height grows with the text, so nothing is ever cut at the edge;
    a title longer than five lines ends with «…» (the caption carries it whole).
    """
    from PIL import Image, ImageDraw

    name_font = _font("DejaVuSans-Bold.ttf", 44)
    title_font = _font("DejaVuSans-Bold.ttf", 34)
    body_font = _font("DejaVuSans.ttf", 30)
    label_font = _font("DejaVuSans.ttf", 26)
    code_font = _font("DejaVuSansMono-Bold.ttf", 72)

    blocks: list[tuple[list[str], FreeTypeFont, int]] = [
        (wrap_to_width(text.name, name_font, TEXT_WIDTH, 2), name_font, 24),
        (wrap_to_width(text.title, title_font, TEXT_WIDTH, TITLE_LINES), title_font, 20),
        (wrap_to_width(text.moment, body_font, TEXT_WIDTH, OTHER_LINES), body_font, 16),
        (wrap_to_width(text.place, body_font, TEXT_WIDTH, OTHER_LINES), body_font, 28),
    ]
    if text.code_label:
        blocks.append(([text.code_label], label_font, 4))
    blocks.append((wrap_to_width(text.code, code_font, TEXT_WIDTH, 2), code_font, 0))

    def line_height(font: FreeTypeFont) -> int:
        ascent, descent = font.getmetrics()
        return ascent + descent + 6

    text_height = sum(len(lines) * line_height(font) + after for lines, font, after in blocks)
    height = max(QR_SIDE, text_height) + 2 * MARGIN
    # Grey, not RGB: black on white needs no colour, and a third of the bytes to compress
    # makes the PNG quicker to write and half the size.
    image = Image.new("L", (TICKET_WIDTH, height), "white")
    image.paste(_qr_image(qr_data, QR_SIDE), (MARGIN, (height - QR_SIDE) // 2))

    draw = ImageDraw.Draw(image)
    left = MARGIN + QR_SIDE + GAP
    top = MARGIN + max(0, (QR_SIDE - text_height) // 2)
    for lines, font, after in blocks:
        for line in lines:
            draw.text((left, top), line, font=font, fill="black")
            top += line_height(font)
        top += after

    buffer = io.BytesIO()
    # Not `optimize=True`: it tries every compression setting, 3× the CPU of the whole
    # drawing (~78 vs ~27 ms a ticket) for a file only ~6% smaller.
    image.save(buffer, format="PNG")
    return buffer.getvalue()
