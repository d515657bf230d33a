"""Daily (and monthly) rollups, kept up to date incrementally and rebuildable.

Every write to the rollups goes through `apply_tally` while holding the lock
row `RollupState("cases")`, so the periodic fold, survey answers and a
rebuild never interleave.

- `fold_new_events()` (periodic job, every minute): the cases that have new
  CREATED / STATUS_CHANGED timeline events since the watermark are folded in:
  each case's contribution is recomputed from the case (facts.py) and, where
  it differs from the stored CaseFact, the old one is taken out and the new
  one put in. Folding a case twice changes nothing, so the watermark stays a
  little behind (LAG) to pick up transactions that commit after a later one.
- `record_survey()` adds one answer, in the answer's transaction.
- `rebuild()` recomputes every fact from the cases and every rollup from the
  facts and answers (`cityhall rebuild-insights`). Facts of purged cases are
  kept: statistics outlive personal data.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from cityhall.cases.models import Case, CaseEvent, EventKind

from .facts import (
    CASE_FIELDS,
    Fact,
    fact_from_model,
    fact_from_row,
    local_day,
    month_of,
    survey_contribution,
)
from .models import CaseFact, Rollup, RollupState, SurveyResponse

COUNTERS = (
    "started",
    "completed",
    "decided",
    "within_target",
    "surveys",
    "satisfaction_sum",
    "satisfied",
    "trust_sum",
    "trusting",
)
STATE = "cases"
LAG = timedelta(minutes=2)
BATCH = 2000
FACT_FIELDS = [
    "service",
    "channel",
    "started_on",
    "completed_on",
    "decided_on",
    "decision_bucket",
    "within_target",
]


class Tally:
    """Counts per (grain, day, service, channel) in memory: a delta to apply,
    or (rebuild, raw path) the whole of the rollups."""

    def __init__(self):
        self.rows: dict[tuple, dict] = {}

    def _row(self, key):
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = dict.fromkeys(COUNTERS, 0)
            row["hist"] = Counter()
        return row

    def add(self, day, service, channel, deltas, bucket=None, sign=1, decisions=1):
        """Adds sign x deltas to the counters and sign x decisions to the
        histogram count of `bucket` (hours), on the day and in its month."""
        for key in (("d", day, service, channel), ("m", month_of(day), service, channel)):
            row = self._row(key)
            for name, value in deltas.items():
                row[name] += sign * value
            if bucket is not None:
                row["hist"][bucket] += sign * decisions

    def add_fact(self, fact: Fact, sign: int = 1):
        for day, deltas, bucket in fact.contributions():
            self.add(day, fact.service, fact.channel, deltas, bucket, sign)

    def add_survey(self, *, day, service, channel, satisfaction, trust, sign=1):
        self.add(day, service, channel, survey_contribution(satisfaction, trust), None, sign)

    def changed(self):
        for key, row in self.rows.items():
            if any(row[name] for name in COUNTERS) or any(row["hist"].values()):
                yield key, row


def _lock():
    RollupState.objects.get_or_create(name=STATE)
    return RollupState.objects.select_for_update().get(name=STATE)


def _hist_plus(stored: dict, delta: Counter) -> dict:
    merged = Counter({int(k): v for k, v in stored.items()})
    merged.update(delta)
    return {str(k): v for k, v in sorted(merged.items()) if v}


def apply_tally(tally: Tally) -> int:
    """Adds the deltas to the stored rows (the caller holds the lock)."""
    touched = 0
    for (grain, day, service, channel), delta in tally.changed():
        row = Rollup.objects.filter(grain=grain, day=day, service=service, channel=channel).first()
        if row is None:
            row = Rollup(grain=grain, day=day, service=service, channel=channel)
        for name in COUNTERS:
            setattr(row, name, getattr(row, name) + delta[name])
        row.decision_hours = _hist_plus(row.decision_hours, delta["hist"])
        if any(getattr(row, name) for name in COUNTERS) or row.decision_hours:
            row.save()
        elif row.pk:
            row.delete()  # everything it counted has moved elsewhere
        touched += 1
    return touched


def fold_cases(case_ids) -> int:
    """Brings these cases' contributions up to date; returns how many changed."""
    ids = sorted(set(case_ids))
    tally = Tally()
    new_facts, changed_facts = [], []
    stored = {f.case_id: f for f in CaseFact.objects.filter(case_id__in=ids)}
    for row in Case.objects.filter(pk__in=ids).values_list(*CASE_FIELDS):
        fact = fact_from_row(row)
        old = stored.get(fact.case_id)
        if old is not None and fact_from_model(old) == fact:
            continue
        if old is not None:
            tally.add_fact(fact_from_model(old), sign=-1)
            for name in FACT_FIELDS:
                setattr(old, name, getattr(fact, name))
            changed_facts.append(old)
        else:
            new_facts.append(CaseFact(**fact.__dict__))
        tally.add_fact(fact)
    CaseFact.objects.bulk_create(new_facts)
    CaseFact.objects.bulk_update(changed_facts, FACT_FIELDS)
    apply_tally(tally)
    return len(new_facts) + len(changed_facts)


def fold_new_events(*, now=None, batch: int = BATCH) -> int:
    """Folds the cases with timeline events past the watermark; returns cases changed."""
    now = now or timezone.now()
    changed = 0
    while True:
        with transaction.atomic():
            state = _lock()
            events = list(
                CaseEvent.objects.filter(
                    pk__gt=state.last_event_id,
                    kind__in=[EventKind.CREATED, EventKind.STATUS_CHANGED],
                )
                .order_by("pk")
                .values_list("pk", "case_id", "created_at")[:batch]
            )
            if not events:
                return changed
            changed += fold_cases(case_id for _pk, case_id, _at in events)
            settled = [pk for pk, _case, at in events if at <= now - LAG]
            fresh = [pk for pk, _case, at in events if at > now - LAG]
            # Stop just before the first recent event: it and those after it are
            # folded again next time, in case an older transaction commits late.
            last = (min(fresh) - 1) if fresh else max(settled)
            advanced = last > state.last_event_id
            state.last_event_id = max(last, state.last_event_id)
            state.updated_at = now
            state.save()
        if fresh or not advanced or len(events) < batch:
            return changed


def record_survey(response: SurveyResponse) -> None:
    """Adds one survey answer to the rollups (inside the caller's transaction)."""
    _lock()
    tally = Tally()
    tally.add_survey(
        day=local_day(response.answered_at),
        service=response.service,
        channel=response.channel,
        satisfaction=response.satisfaction,
        trust=response.trust,
    )
    apply_tally(tally)


def _refresh_facts(chunk: int) -> None:
    last_id = 0
    while True:
        rows = list(
            Case.objects.filter(pk__gt=last_id).order_by("pk").values_list(*CASE_FIELDS)[:chunk]
        )
        if not rows:
            return
        zone = timezone.get_current_timezone()
        facts = [CaseFact(**fact_from_row(row, zone).__dict__) for row in rows]
        CaseFact.objects.bulk_create(
            facts, update_conflicts=True, unique_fields=["case_id"], update_fields=FACT_FIELDS
        )
        last_id = rows[-1][0]


def _tally_of_stored_facts() -> Tally:
    """The facts table summed by the database (its days are already local)."""
    tally = Tally()
    facts = CaseFact.objects.order_by()
    started = facts.values_list("started_on", "service", "channel")
    for day, service, channel, n in started.annotate(n=Count("case_id")):
        tally.add(day, service, channel, {"started": n})
    completed = facts.filter(completed_on__isnull=False)
    for day, service, channel, n in completed.values_list(
        "completed_on", "service", "channel"
    ).annotate(n=Count("case_id")):
        tally.add(day, service, channel, {"completed": n})
    decided = facts.filter(decided_on__isnull=False, decision_bucket__isnull=False)
    for day, service, channel, bucket, within, n in decided.values_list(
        "decided_on", "service", "channel", "decision_bucket", "within_target"
    ).annotate(n=Count("case_id")):
        deltas = {"decided": n, "within_target": n if within else 0}
        tally.add(day, service, channel, deltas, bucket, decisions=n)
    return tally


def _add_surveys(tally: Tally, surveys) -> Tally:
    zone = timezone.get_current_timezone()
    for answered_at, service, channel, satisfaction, trust in surveys:
        tally.add_survey(
            day=local_day(answered_at, zone),
            service=service,
            channel=channel,
            satisfaction=satisfaction,
            trust=trust,
        )
    return tally


SURVEY_FIELDS = ("answered_at", "service", "channel", "satisfaction", "trust")


@transaction.atomic
def rebuild(*, chunk: int = 5000) -> int:
    """Recomputes facts from the cases and rollups from the facts and survey
    answers, exactly; returns the number of rollup rows."""
    state = _lock()
    # Events older than LAG are in the cases read below; later ones are folded next time.
    high_water = (
        CaseEvent.objects.filter(created_at__lte=timezone.now() - LAG)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )
    _refresh_facts(chunk)
    surveys = SurveyResponse.objects.values_list(*SURVEY_FIELDS).iterator(chunk_size=chunk)
    tally = _add_surveys(_tally_of_stored_facts(), surveys)
    Rollup.objects.all().delete()
    Rollup.objects.bulk_create(
        (
            Rollup(
                grain=grain,
                day=day,
                service=service,
                channel=channel,
                decision_hours={str(k): v for k, v in sorted(row["hist"].items()) if v},
                **{name: row[name] for name in COUNTERS},
            )
            for (grain, day, service, channel), row in tally.changed()
        ),
        batch_size=2000,
    )
    state.last_event_id = high_water
    state.updated_at = timezone.now()
    state.save()
    return Rollup.objects.count()
