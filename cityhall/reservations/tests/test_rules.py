"""The rules applied to requested times, and the free start times they leave,
including the days the clocks change (2026-03-08 and 2026-11-01 in
America/Los_Angeles)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from cityhall.reservations import availability, calendars, rules
from cityhall.reservations.models import Block, HoursException
from cityhall.reservations.timeutil import WallTimeError, exact_wall, wall

from .conftest import at, day_ahead, make_facility, make_unit

pytestmark = pytest.mark.django_db


def problems(unit, start, end, **kwargs):
    now = kwargs.pop("now", timezone.now())
    calendar = calendars.load_one(unit, start - timedelta(days=1), end + timedelta(days=1), now=now)
    return rules.problems(calendar, start, end, now=now, **kwargs)


def test_a_good_time_has_no_problems(free_unit):
    day = day_ahead()
    assert problems(free_unit, at(day, 10), at(day, 12), attendees=10) == {}


@pytest.mark.parametrize(
    ("start_hour", "end_hour", "field", "words"),
    [
        (12, 10, "end", "The end must be after the start."),
        (12, 12, "end", "The end must be after the start."),
        (10, 15, "end", "Book at most 4 hours"),
        (7, 9, "start", "outside opening hours"),
        (20, 22, "end", "closes at 9"),
    ],
)
def test_times_that_break_a_rule(free_unit, start_hour, end_hour, field, words):
    day = day_ahead()
    found = problems(free_unit, at(day, start_hour), at(day, end_hour))
    assert any(words in m for m in found[field]), found


def test_too_short_and_off_the_grid(free_unit):
    day = day_ahead()
    found = problems(free_unit, at(day, 10), at(day, 10, 30))
    assert "Book at least 1 hour" in found["end"][0]
    found = problems(free_unit, at(day, 10, 15), at(day, 11, 15))
    assert "every 30 minutes" in found["start"][0] and "10 a.m." in found["start"][0]


def test_in_the_past_and_too_late_to_book_online(free_unit):
    now = timezone.now()
    start = wall(timezone.localdate() - timedelta(days=1), time(10))
    assert "already passed" in problems(free_unit, start, start + timedelta(hours=1))["start"][0]
    soon = (now + timedelta(minutes=90)).replace(second=0, microsecond=0)
    found = problems(free_unit, soon, soon + timedelta(hours=1))
    assert any("closes 2 hours before" in m for m in found.get("start", [])), found


def test_too_far_ahead_names_the_day_booking_opens(free_unit):
    day = timezone.localdate() + timedelta(days=120)
    found = problems(free_unit, at(day, 10), at(day, 11))
    message = found["start"][0]
    assert "too far ahead" in message and "90 days" in message
    opens = day - timedelta(days=90)
    assert str(opens.year) in message


def test_residents_first(free_unit):
    free_unit.residents_first_days = 14
    free_unit.save()
    day = timezone.localdate() + timedelta(days=85)
    assert problems(free_unit, at(day, 10), at(day, 11), resident=True) == {}
    found = problems(free_unit, at(day, 10), at(day, 11), resident=False)
    assert "only residents" in found["start"][0]


def test_a_closure_and_a_block(free_unit, manager):
    day = day_ahead()
    HoursException.objects.create(
        facility=free_unit.facility,
        first_day=day,
        last_day=day,
        reason_en="City holiday",
        reason_es="Feriado",
    )
    found = problems(free_unit, at(day, 10), at(day, 11))
    assert "closed on" in found["start"][0] and "City holiday" in found["start"][0]
    other = day + timedelta(days=1)
    Block.objects.create(
        unit=free_unit, start=at(other, 12), end=at(other, 14), reason="Roof repair"
    )
    assert "Roof repair" in problems(free_unit, at(other, 12), at(other, 13))["start"][0]
    assert "Roof repair" in problems(free_unit, at(other, 11), at(other, 13))["end"][0]
    assert problems(free_unit, at(other, 14), at(other, 15)) == {}


def test_special_hours_replace_the_week(free_unit):
    day = day_ahead()
    HoursException.objects.create(
        facility=free_unit.facility,
        first_day=day,
        last_day=day,
        closed=False,
        opens=time(12),
        closes=time(16),
        reason_en="Short day",
    )
    assert "outside opening hours" in problems(free_unit, at(day, 10), at(day, 11))["start"][0]
    assert problems(free_unit, at(day, 12), at(day, 13)) == {}


def test_capacity(free_unit):
    day = day_ahead()
    assert (
        "at most 30 people"
        in problems(free_unit, at(day, 10), at(day, 11), attendees=31)["attendees"][0]
    )
    assert (
        "at least 1" in problems(free_unit, at(day, 10), at(day, 11), attendees=0)["attendees"][0]
    )


@pytest.fixture
def night_unit(db):
    """Open 18:00-02:00 every night."""
    facility = make_facility("Night Market", opens=time(18), closes=time(2))
    return make_unit(
        facility, "Hall", min_duration=timedelta(hours=1), max_duration=timedelta(hours=6)
    )


def test_across_midnight_only_where_allowed(night_unit):
    day = day_ahead()
    start, end = at(day, 23), at(day + timedelta(days=1), 1)
    assert "must end by midnight" in problems(night_unit, start, end)["end"][0]
    night_unit.allow_overnight = True
    night_unit.save()
    assert problems(night_unit, start, end) == {}


def test_times_in_another_time_zone_are_read_as_instants(free_unit):
    day = day_ahead()
    # 17:00 UTC is 9 or 10 a.m. in Los Angeles: inside the hours.
    start = datetime.combine(day, time(17), tzinfo=UTC)
    assert problems(free_unit, start, start + timedelta(hours=1)) == {}
    # 14:00 UTC is 6 or 7 a.m.: outside, and the message says so in city time.
    early = datetime.combine(day, time(14), tzinfo=UTC)
    message = problems(free_unit, early, early + timedelta(hours=1))["start"][0]
    assert "outside opening hours" in message
    assert timezone.localtime(early).strftime("%-I") + " a.m." in message


# ---- the days the clocks change -----------------------------------------------


@pytest.fixture
def all_day_unit(db):
    facility = make_facility("Lake Campground", opens=time(0), closes=time(0))
    return make_unit(
        facility,
        "Site 1",
        min_duration=timedelta(hours=1),
        max_duration=timedelta(hours=12),
        start_interval_minutes=60,
        allow_overnight=True,
        opens_days_ahead=365,
    )


def before(day: date):
    return wall(day - timedelta(days=14), time(12))


def test_spring_forward_day_has_23_start_times(all_day_unit):
    day = date(2026, 3, 8)
    slots = availability.unit_days(all_day_unit, day, 1, now=before(day))[0].slots
    local_hours = [timezone.localtime(s.start).hour for s in slots]
    assert len(slots) == 23 and 2 not in local_hours
    # 1:00 to 4:00 a.m. on that night is two hours of real time.
    found = problems(all_day_unit, at(day, 1), at(day, 4), now=before(day))
    assert found == {}
    all_day_unit.min_duration = timedelta(hours=3)
    all_day_unit.save()
    message = problems(all_day_unit, at(day, 1), at(day, 4), now=before(day))["end"][0]
    assert "this is 2 hours" in message


def test_fall_back_day_has_25_start_times(all_day_unit):
    day = date(2026, 11, 1)
    slots = availability.unit_days(all_day_unit, day, 1, now=before(day))[0].slots
    assert len(slots) == 25
    one_am = [s.start for s in slots if timezone.localtime(s.start).hour == 1]
    assert len(one_am) == 2 and one_am[1] - one_am[0] == timedelta(hours=1)
    # From the first 1:00 a.m. to the second is one hour, and bookable.
    assert problems(all_day_unit, one_am[0], one_am[1], now=before(day)) == {}


@pytest.mark.parametrize("day", [date(2026, 11, 1), date(2026, 3, 8), date(2026, 6, 1)])
def test_a_day_rate_charges_the_calendar_day_even_when_the_clocks_change(all_day_unit, day):
    # Midnight to midnight on the night the clocks go back is 25 hours of real
    # time, but one day of rental (and midnight to midnight in spring, 23 hours).
    from cityhall.reservations import pricing
    from cityhall.reservations.models import RateUnit

    all_day_unit.rate_unit = RateUnit.DAY
    next_day = day + timedelta(days=1)
    assert pricing.quantity(all_day_unit, at(day, 0), at(next_day, 0)) == 1
    assert pricing.quantity(all_day_unit, at(day, 9), at(next_day, 9)) == 1
    assert pricing.quantity(all_day_unit, at(day, 9), at(next_day, 10)) == 2
    assert pricing.quantity(all_day_unit, at(day, 9), at(day, 10)) == 1


def test_wall_times_that_do_not_exist_or_happen_twice_are_refused():
    with pytest.raises(WallTimeError) as missing:
        exact_wall(date(2026, 3, 8), time(2, 30))
    assert missing.value.kind == "missing" and "does not exist" in str(missing.value)
    with pytest.raises(WallTimeError) as twice:
        exact_wall(date(2026, 11, 1), time(1, 30))
    assert twice.value.kind == "twice" and "happens twice" in str(twice.value)
    assert timezone.localtime(exact_wall(date(2026, 3, 8), time(3, 30))).utcoffset() == timedelta(
        hours=-7
    )
    assert timezone.localtime(exact_wall(date(2026, 11, 1), time(2, 30))).utcoffset() == timedelta(
        hours=-8
    )


def test_a_day_booking_on_a_dst_day_is_stored_in_utc(free_unit, resident, clock_at):
    from cityhall.reservations import services

    from .conftest import details

    clock_at(before(date(2026, 3, 8)))
    booking = services.book_slot(
        user=resident,
        unit=free_unit,
        start=at(date(2026, 3, 8), 10),
        end=at(date(2026, 3, 8), 12),
        details=details(),
    )
    occurrence = booking.occurrences.get()
    assert occurrence.start == datetime(2026, 3, 8, 17, tzinfo=UTC)  # PDT, UTC-7
    clock_at(before(date(2026, 11, 1)))
    other = services.book_slot(
        user=resident,
        unit=free_unit,
        start=at(date(2026, 11, 1), 10),
        end=at(date(2026, 11, 1), 12),
        details=details(),
    )
    assert other.occurrences.get().start == datetime(2026, 11, 1, 18, tzinfo=UTC)  # PST


def test_the_grid_leaves_room_for_buffers_and_closing_time(paid_unit, resident, book):
    day = day_ahead()
    book(paid_unit, resident, at(day, 12), at(day, 14))  # kept free until 14:30
    days = availability.unit_days(paid_unit, day, 1, now=timezone.now())
    slots = {timezone.localtime(s.start).hour: s for s in days[0].slots}
    # 9-11 keeps 11:00-11:30 free after it; 10-12 would need 12:00-12:30.
    assert slots[9].free and timezone.localtime(slots[9].max_end).hour == 11
    assert not any(slots[hour].free for hour in (10, 11, 12, 13, 14))
    assert slots[15].free
    assert 20 not in slots  # two hours before 9 p.m. closing: the last start is 19:00
