"""The city's wall clock: local days and times, daylight-saving changes, and
how times are written for people.

Times are stored in UTC and computed in UTC: Python adds and subtracts
datetimes that share a zone by their wall clocks (18:00 + 24 hours is 18:00
the next day even across a clock change, and 1:00 a.m. PDT "equals" 1:00
a.m. PST), so `wall()` converts to UTC at once and local datetimes are only
made for display. Wall times (what a
resident types or reads: "Tuesday 6:00 p.m.") are the city's
(settings.TIME_ZONE). A wall time that does not exist (2:30 a.m. on the
night clocks go forward) or that happens twice (1:30 a.m. on the night
they go back) is refused with a message, never guessed.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Days anyone may ask about: far beyond any rule (booking opens at most 32,767
# days ahead), and far enough from Python's limits (years 1 and 9999) that
# adding days or weeks to them never leaves the calendar.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def is_sane_day(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def city_zone():
    return timezone.get_default_timezone()


def local(value: datetime) -> datetime:
    return value.astimezone(city_zone())


def local_date(value: datetime) -> date:
    return local(value).date()


def _local_wall(day: date, at: time, fold: int = 0) -> datetime:
    return datetime.combine(day, at, tzinfo=city_zone()).replace(fold=fold)


@functools.lru_cache(maxsize=65536)
def _wall(day: date, at: time, fold: int, zone) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).replace(fold=fold).astimezone(UTC)


def wall(day: date, at: time, *, fold: int = 0) -> datetime:
    """The instant (in UTC) a wall clock in the city shows `at` on `day` (fold=1: the
    second one, on the night the clocks go back). Cached: the search asks for the
    same few opening times of the same days hundreds of times."""
    return _wall(day, at, fold, city_zone())


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def start_of_day(day: date) -> datetime:
    return wall(day, time(0))


class WallTimeError(ValueError):
    """`kind` is "missing" (skipped by the clock change) or "twice" (repeated)."""

    def __init__(self, kind: str, day: date, at: time):
        self.kind, self.day, self.at = kind, day, at
        shown = formats.time_format(at, "TIME_FORMAT")
        when = formats.date_format(day, "DATE_FORMAT")
        if kind == "missing":
            message = _(
                "%(time)s does not exist on %(date)s: the clocks go forward an hour that night. "
                "Choose another time."
            ) % {"time": shown, "date": when}
        else:
            message = _(
                "%(time)s happens twice on %(date)s: the clocks go back an hour that night. "
                "Choose another time."
            ) % {"time": shown, "date": when}
        super().__init__(message)


def exact_wall(day: date, at: time) -> datetime:
    """`day` at `at` in the city, refusing wall times that do not exist or happen twice."""
    first, second = _local_wall(day, at, 0), _local_wall(day, at, 1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    back = first.astimezone(UTC).astimezone(city_zone())
    if back.replace(tzinfo=None) != datetime.combine(day, at):
        raise WallTimeError("missing", day, at)
    raise WallTimeError("twice", day, at)


def clock_changes_on(day: date) -> bool:
    return (
        _local_wall(day, time(0)).utcoffset()
        != _local_wall(day + timedelta(days=1), time(0)).utcoffset()
    )


def next_midnight(value: datetime) -> datetime:
    return start_of_day(local_date(value) + timedelta(days=1))


# ---- words -----------------------------------------------------------------


def fmt_time(value: datetime, *, zone: bool = False) -> str:
    shown = local(value)
    text = formats.time_format(shown, "TIME_FORMAT")
    return f"{text} {shown.tzname()}" if zone else text


def fmt_date(value: datetime | date, *, weekday: bool = True) -> str:
    day = local_date(value) if isinstance(value, datetime) else value
    text = formats.date_format(day, "DATE_FORMAT")
    return f"{formats.date_format(day, 'l')}, {text}" if weekday else text


def fmt_moment(value: datetime) -> str:
    """'Tuesday, Dec. 1, 2026, 6:15 p.m. PST'."""
    return f"{fmt_date(value)}, {fmt_time(value, zone=True)}"


def fmt_range(start: datetime, end: datetime) -> str:
    """'Tuesday, Dec. 1, 2026, 6 p.m. - 8 p.m.' (the zone is named when a clock change is near)."""
    zone = clock_changes_on(local_date(start)) or local(start).utcoffset() != local(end).utcoffset()
    first = f"{fmt_date(start)}, {fmt_time(start, zone=zone)}"
    if local_date(end - timedelta(microseconds=1)) == local_date(start):
        return f"{first} – {fmt_time(end, zone=zone)}"
    return f"{first} – {fmt_date(end)}, {fmt_time(end, zone=zone)}"


def fmt_duration(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes or not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


def iso(value: datetime) -> str:
    """ISO 8601 with the city's offset: what the API and the slot links carry."""
    return local(value).isoformat()


def parse_iso(text: str) -> datetime | None:
    """An aware datetime from ISO 8601 with an offset; None for anything else."""
    text = (text or "").strip()
    # A "+" in a query string arrives as a space: "…T18:00:00 00:00".
    text = re.sub(r"(T[\d:.]+) (\d{2}:?\d{2})$", r"\1+\2", text)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None or not is_sane_day(value.date()):
        return None
    return value.astimezone(UTC)
