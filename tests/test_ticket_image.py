"""The ticket image: QR beside the name, event, moment, place and code; long text wraps."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from bot.services.tickets import (
    TICKET_WIDTH,
    TicketText,
    _font,
    qr_png,
    ticket_link,
    ticket_png,
    wrap_to_width,
)

LINK = ticket_link("ngo_events_bot", "Tk3x9QmZ")
TEXT = TicketText(
    name="Иванова Мария Петровна",
    title="Круглый стол «Роль СО НКО в развитии гражданского общества»",
    moment="четверг, 17 декабря, 14:00–16:30 по местному времени (МСК+2)",
    place="Точка кипения, Тюменский Технопарк, ул. Республики 142, Тюмень",
    code="K7M2QX",
    code_label="Код билета",
)


def decode(png: bytes) -> tuple[Image.Image, list[str]]:
    image = Image.open(io.BytesIO(png))
    return image, [found.text for found in zxingcpp.read_barcodes(image)]


def test_the_ticket_carries_a_qr_that_decodes_to_the_check_in_link() -> None:
    image, texts = decode(ticket_png(LINK, TEXT))
    assert texts == [LINK]
    assert image.format == "PNG"
    assert image.width == TICKET_WIDTH
    assert 500 <= image.height <= 900


def test_a_very_long_title_and_name_grow_the_ticket_but_never_its_width() -> None:
    long = TicketText(
        name="Константинопольская-Петропавловская Александра Валентиновна " * 3,
        title="Стратегическая сессия «" + "Очень длинное название мероприятия " * 40 + "»",
        moment=TEXT.moment,
        place="Дом НКО, " + "переулок Длинный " * 20,
        code="K7M2QX",
    )
    image, texts = decode(ticket_png(LINK, long))
    assert texts == [LINK]
    assert image.width == TICKET_WIDTH
    assert image.height < 1400  # a title's extra lines end in «…» rather than grow forever


def test_wrapped_lines_fit_the_column_and_the_cut_ends_with_an_ellipsis() -> None:
    font = _font("DejaVuSans-Bold.ttf", 34)
    text = "Рольсонкоrazvitiyagrazhdanskogoobshchestva" * 5 + " и ещё немного слов " * 30
    lines = wrap_to_width(text, font, 400, max_lines=4)
    assert len(lines) == 4
    assert all(font.getlength(line) <= 400 for line in lines)
    assert lines[-1].endswith("…")
    assert wrap_to_width("Короткий заголовок", font, 700, max_lines=4) == ["Короткий заголовок"]


def test_the_plain_qr_png_still_decodes() -> None:
    _image, texts = decode(qr_png(LINK))
    assert texts == [LINK]
