"""Publication deadlines counted in working days (MIIT Art. 15, CQ Art. 14).

Reading of "在每次随机抽查工作结束后N个工作日内" (within N working days after each round's work
ends): the day the work ends is not counted; counting starts the next day, and the N-th
working day after the end date is the last day on which publication is on time. This is the
reading of 《民法典》第二百零一条 (a period counted in days starts the next day) and the
usual administrative practice.

Excluded periods (CQ Art. 14, "需要检验、检测、鉴定的除外"): working days that fall inside a
testing, inspection or appraisal period are not counted, so the deadline moves back by that
many working days; equivalently the caller may give only a number of such working days
(``excluded_days``). This follows 《行政许可法》第四十五条 ("所需时间不计算在本节规定的期限内")
rather than reading the exception as "no deadline at all", which would leave such work
untracked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from shuangsuiji.messages import Message, msg
from shuangsuiji.rules import START_EVENTS, Citation, DeadlineRule
from shuangsuiji.workdays.workcalendar import Coverage, WorkCalendar, YearSource

SkipReason = Literal["weekend", "holiday", "excluded_period"]

#: Guard against a runaway count (e.g. an excluded period typed as lasting a century).
_MAX_SPAN_DAYS = 3 * 366


@dataclass(frozen=True)
class ExcludedPeriod:
    """A period of testing, inspection or appraisal (检验、检测、鉴定), both ends inclusive.

    ``kind`` is one of the rule's ``excluded_periods``, drawn from
    ``shuangsuiji.rules.EXCLUDABLE_PERIODS``.
    """

    start: date
    end: date
    kind: str
    note: str = ""

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end


@dataclass(frozen=True)
class SkippedDay:
    """A day between the start and the due date that was not counted, and why."""

    day: date
    reason: SkipReason
    name: str | None  # festival name for a holiday; the period's kind (and note) otherwise
    coverage: Coverage | None


@dataclass(frozen=True)
class Deadline:
    """A publication deadline and how it was counted.

    ``counted`` lists every working day that was counted, in order (its length is
    ``working_days + excluded_days``; the last one is ``due``). ``provisional`` is true when
    any day from ``start`` through ``due`` lies in a year no calendar covers; then only
    weekends were skipped in that year and ``warning`` says what to do.
    """

    end: date
    start: date
    due: date
    working_days: int
    excluded_days: int
    counted: tuple[date, ...]
    skipped: tuple[SkippedDay, ...]
    provisional: bool
    uncovered_years: tuple[int, ...]
    warning: str | None
    sources: tuple[YearSource, ...]
    cite: Citation


def due_date(
    end: date,
    rule: DeadlineRule,
    calendar: WorkCalendar,
    *,
    excluded: Iterable[ExcludedPeriod] = (),
    excluded_days: int = 0,
) -> Deadline:
    """Count ``rule.working_days`` working days after ``end`` (the day the work ended).

    ``excluded`` periods and ``excluded_days`` are only allowed when the rule names
    excludable periods (CQ's 检验、检测、鉴定); working days inside a period are skipped and
    ``excluded_days`` more working days are counted. Raises ``ValueError`` for a rule or
    period that cannot be applied.
    """
    periods = tuple(excluded)
    _check(rule, periods, excluded_days)
    target = rule.working_days + excluded_days
    start = end + timedelta(days=1)
    counted: list[date] = []
    skipped: list[SkippedDay] = []
    uncovered: set[int] = set()
    years: set[int] = set()
    d = start
    while True:
        if (d - start).days > _MAX_SPAN_DAYS:
            raise ValueError(msg(
                "deadline from %(end)s runs past %(day)s: check the excluded periods, which "
                "cover almost every working day", end=end.isoformat(), day=d.isoformat(),
            ))
        info = calendar.day(d)
        years.add(d.year)
        if info.coverage is None:
            uncovered.add(d.year)
        period = next((p for p in periods if d in p), None)
        if not info.workday:
            # A day off stays a day off even inside an excluded period: report the reason
            # that would have applied anyway, so the period's effect is not overstated.
            reason: SkipReason = "holiday" if info.kind == "holiday" else "weekend"
            skipped.append(SkippedDay(d, reason, info.name, info.coverage))
        elif period is not None:
            label = f"{period.kind}: {period.note}" if period.note else period.kind
            skipped.append(SkippedDay(d, "excluded_period", label, info.coverage))
        else:
            counted.append(d)
            if len(counted) == target:
                break
        d += timedelta(days=1)

    uncovered_years = tuple(sorted(uncovered))
    return Deadline(
        end=end,
        start=start,
        due=d,
        working_days=rule.working_days,
        excluded_days=excluded_days,
        counted=tuple(counted),
        skipped=tuple(skipped),
        provisional=bool(uncovered_years),
        uncovered_years=uncovered_years,
        warning=_warning(uncovered_years, d) if uncovered_years else None,
        sources=tuple(calendar.source(y) for y in sorted(years)),
        cite=rule.cite,
    )


def _check(rule: DeadlineRule, periods: tuple[ExcludedPeriod, ...], excluded_days: int) -> None:
    where = msg("deadline rule %(cite)s", cite=str(rule.cite))
    if rule.start_event not in START_EVENTS:
        raise ValueError(msg("%(where)s: %(message)s", where=where, message=msg(
            "start_event %(event)r is not one of %(events)s", event=rule.start_event,
            events=START_EVENTS,
        )))
    if rule.working_days < 1:
        raise ValueError(msg("%(where)s: %(message)s", where=where, message=msg(
            "working_days must be at least 1, got %(days)s", days=rule.working_days,
        )))
    if excluded_days < 0:
        raise ValueError(msg("excluded_days must not be negative, got %(days)s",
                             days=excluded_days))
    if (periods or excluded_days) and not rule.excluded_periods:
        raise ValueError(msg(
            "%(where)s counts every working day; it allows no excluded periods or days (only a "
            "rule naming 检验、检测、鉴定 periods does)", where=where,
        ))
    for p in periods:
        if p.kind not in rule.excluded_periods:
            raise ValueError(msg(
                "excluded period %(start)s–%(end)s: kind %(kind)r is not one of %(kinds)s "
                "allowed by %(where)s", start=p.start.isoformat(), end=p.end.isoformat(),
                kind=p.kind, kinds=rule.excluded_periods, where=where,
            ))
        if p.end < p.start:
            raise ValueError(msg(
                "excluded period %(kind)s ends (%(end)s) before it starts (%(start)s); swap the "
                "dates", kind=p.kind, end=p.end.isoformat(), start=p.start.isoformat(),
            ))


def _warning(years: tuple[int, ...], due: date) -> Message:
    return msg(
        "Provisional deadline %(due)s: no holiday calendar covers %(years)s, so only weekends "
        "were skipped there; statutory holidays and make-up workdays of %(years)s were not "
        "applied, and the real deadline may be later or earlier. Import the State Council's "
        "holiday notice for %(years)s as a tenant calendar (docs/working-days.md) and the "
        "deadline will be recounted.",
        due=due.isoformat(), years=", ".join(str(y) for y in years),
    )
