"""Places: the reference list, finding a place in either language, cases and Moscow offsets."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services import places
from bot.services.places import Place, find_place, in_place, msk_offset, region, settlement

WINTER = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


def test_the_list_has_every_federal_subject_once_with_a_centre_and_a_known_zone() -> None:
    everything = places.regions()
    assert len(everything) == 89
    assert len({r.code for r in everything}) == 89
    assert len({r.name_ru for r in everything}) == 89
    towns = [town for r in everything for town in r.settlements]
    assert len(towns) >= 200
    assert len({town.id for town in towns}) == len(towns)
    for r in everything:
        assert r.settlements, r.name_ru
        assert r.in_ru.startswith(("в ", "во ")), r.in_ru
        for zone in r.zones:
            ZoneInfo(zone)
            assert r.zone_settlement(zone).region_code == r.code


def test_the_2014_and_2022_subjects_are_listed_as_russian_law_names_them() -> None:
    names = {r.name_ru for r in places.regions()}
    assert {
        "Республика Крым",
        "Севастополь",
        "Донецкая Народная Республика",
        "Луганская Народная Республика",
        "Запорожская область",
        "Херсонская область",
    } <= names


@pytest.mark.parametrize(
    ("typed", "town", "region_code"),
    [
        ("Omsk", "Омск", "55"),
        ("омск", "Омск", "55"),
        ("  ОМСК ", "Омск", "55"),
        ("Ishim", "Ишим", "72"),
        ("г. Ишим", "Ишим", "72"),
        ("в Ишиме", "Ишим", "72"),
        ("Тюмень", "Тюмень", "72"),
        ("Tyumen", "Тюмень", "72"),
        ("Курск", "Курск", "46"),
        ("Kemerovo", "Кемерово", "42"),
        ("Новокузнецк", "Новокузнецк", "42"),
        ("Ростов на Дону", "Ростов-на-Дону", "61"),
        ("Rostov-on-Don", "Ростов-на-Дону", "61"),
        ("нижний новгород", "Нижний Новгород", "52"),
        ("Орел", "Орёл", "57"),
        ("St. Petersburg", "Санкт-Петербург", "78"),
        ("Москва", "Москва", "77"),
    ],
)
def test_a_town_is_the_same_place_whatever_the_language(
    typed: str, town: str, region_code: str
) -> None:
    place = find_place(typed)
    assert place is not None
    assert place.settlement is not None
    assert place.settlement.name_ru == town
    assert place.region.code == region_code
    assert places.region_of(place.settlement) == place.region


@pytest.mark.parametrize(
    ("typed", "region_code"),
    [
        ("Тюменская область", "72"),
        ("Тюменская обл", "72"),
        ("Тюменская обл.", "72"),
        ("в Тюменской области", "72"),
        ("Tyumen Oblast", "72"),
        ("tyumen region", "72"),
        ("Татарстан", "16"),
        ("Republic of Tatarstan", "16"),
        ("Якутия", "14"),
        ("ХМАО", "86"),
        ("Кузбасс", "42"),
        ("Алтайский край", "22"),
        ("Республика Алтай", "04"),
    ],
)
def test_a_region_is_found_by_its_names_abbreviations_and_cases(
    typed: str, region_code: str
) -> None:
    place = find_place(typed)
    assert place == Place(region(region_code))


@pytest.mark.parametrize("nonsense", ["", "   ", "Атлантида", "Gotham", "12345"])
def test_an_unknown_place_is_none(nonsense: str) -> None:
    assert find_place(nonsense) is None


def test_a_typo_is_offered_as_a_suggestion_not_taken_as_found() -> None:
    assert find_place("Тюмен") is None
    assert [p.name("ru") for p in places.suggest_places("Тюмен")][:1] == ["Тюмень"]


def test_the_zone_comes_from_the_region_and_a_region_of_several_zones_asks() -> None:
    ishim = find_place("Ишим")
    assert ishim is not None
    assert ishim.zone == "Asia/Yekaterinburg"
    assert ishim.zone_is_certain
    assert find_place("Омская область") == Place(region("55"))
    assert Place(region("55")).zone == "Asia/Omsk"
    assert find_place("Kemerovo").zone == "Asia/Novokuznetsk"  # type: ignore[union-attr]
    yakutia = region("14")
    assert yakutia.spans_zones
    assert not Place(yakutia).zone_is_certain
    assert find_place("Усть-Нера").zone == "Asia/Ust-Nera"  # type: ignore[union-attr]
    assert places.zone_choices(yakutia, WINTER) == [
        ("Asia/Yakutsk", "Якутск · МСК+6"),
        ("Asia/Ust-Nera", "Усть-Нера · МСК+7"),
        ("Asia/Srednekolymsk", "Среднеколымск · МСК+8"),
    ]
    assert places.zone_choices(yakutia, WINTER, "en")[0] == ("Asia/Yakutsk", "Yakutsk · Moscow +6")


def test_settlement_and_region_ids_round_trip() -> None:
    ishim = find_place("Ishim")
    assert ishim is not None
    assert ishim.settlement is not None
    assert ishim.settlement.id == "72-ishim"
    assert settlement("72-ishim") == ishim.settlement
    with pytest.raises(KeyError):
        settlement("72-atlantis")
    with pytest.raises(KeyError):
        region("00")


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("Тюмень", "в Тюмени"),
        ("Ишим", "в Ишиме"),
        ("Омск", "в Омске"),
        ("Курск", "в Курске"),
        ("Кемерово", "в Кемерове"),
        ("Новокузнецк", "в Новокузнецке"),
        ("Ростов-на-Дону", "в Ростове-на-Дону"),
        ("Нижний Новгород", "в Нижнем Новгороде"),
        ("Набережные Челны", "в Набережных Челнах"),
        ("Петропавловск-Камчатский", "в Петропавловске-Камчатском"),
        ("Южно-Сахалинск", "в Южно-Сахалинске"),
        ("Санкт-Петербург", "в Санкт-Петербурге"),
        ("Улан-Удэ", "в Улан-Удэ"),
        ("Сочи", "в Сочи"),
        ("Орёл", "в Орле"),
        ("Владивосток", "во Владивостоке"),
        ("Владимир", "во Владимире"),
        ("Всеволожск", "во Всеволожске"),
        ("Вологда", "в Вологде"),
    ],
)
def test_in_a_town_is_declined_by_the_morphology_library(name: str, phrase: str) -> None:
    assert in_place(name) == phrase


def test_stored_forms_cover_what_the_library_gets_wrong_and_regions_have_their_cases() -> None:
    assert find_place("Йошкар-Ола").where("ru") == "в Йошкар-Оле"  # type: ignore[union-attr]
    tyumen_region = region("72")
    assert tyumen_region.in_ru == "в Тюменской области"
    assert tyumen_region.genitive_ru == "Тюменской области"
    assert region("33").in_ru == "во Владимирской области"
    assert region("16").in_ru == "в Республике Татарстан"
    assert region("42").in_ru == "в Кемеровской области — Кузбассе"
    assert Place(tyumen_region).where("en") == "in Tyumen Oblast"
    assert find_place("Ишим").where("ru") == "в Ишиме"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("zone", "ru", "en"),
    [
        ("Asia/Yekaterinburg", "МСК+2", "Moscow +2"),
        ("Europe/Moscow", "МСК", "Moscow time"),
        ("Europe/Kaliningrad", "МСК−1", "Moscow −1"),
        ("Asia/Kamchatka", "МСК+9", "Moscow +9"),
        ("Asia/Kolkata", "МСК+2:30", "Moscow +2:30"),
    ],
)
def test_moscow_offset_reads_as_people_say_it(zone: str, ru: str, en: str) -> None:
    assert msk_offset(zone, WINTER) == ru
    assert msk_offset(zone, WINTER, "en") == en


def test_moscow_offset_follows_a_zone_that_changes_its_clocks() -> None:
    # Berlin is two hours behind Moscow in winter and one in summer.
    assert msk_offset("Europe/Berlin", WINTER) == "МСК−2"
    assert msk_offset("Europe/Berlin", datetime(2027, 7, 1, tzinfo=UTC)) == "МСК−1"


def test_zone_label_names_the_town_and_the_moscow_offset() -> None:
    assert places.zone_label("Тюмень", "Asia/Yekaterinburg", WINTER) == "Тюмень · МСК+2"
    assert places.zone_label("Omsk", "Asia/Omsk", WINTER, "en") == "Omsk · Moscow +3"


def test_importing_the_blocks_loads_no_dictionary_parser_or_reference_data() -> None:
    # Start-up must not pay for pymorphy3, dateparser or the regions file: first use does.
    code = (
        "import sys, bot.services.places, bot.services.spoken_dates, bot.views.moments, "
        "bot.services.tickets; "
        "print(sorted(m for m in ('pymorphy3', 'dateparser') if m in sys.modules), "
        "bot.services.places._atlas.cache_info().currsize)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["[]", "0"]
