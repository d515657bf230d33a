"""seed-demo --scale N: a history that tells a story, for every registered service."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command

from cityhall.cases import registry as cases_registry
from cityhall.cases.models import Case
from cityhall.insights.demo import MARKER
from cityhall.insights.forms import default_period
from cityhall.insights.kpis import compute
from cityhall.insights.models import CostModel, DigitalServiceCost, Pilot, SurveyResponse
from cityhall.insights.stores import RawStore


def test_scaled_history_for_every_service(db, settings, sample_service):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet", "--scale", "900")
    history = Case.objects.filter(contact_name=MARKER)
    services = {s.code for s in cases_registry.all_services()}
    assert set(history.values_list("service", flat=True).distinct()) == services
    assert 880 <= history.count() <= 920
    # Nothing waits in a staff queue; references are unique and valid.
    for service in cases_registry.all_services():
        waiting = service.workflow.awaiting_staff_states()
        assert not history.filter(service=service.code, status__in=waiting).exists()
    assert history.values("reference").distinct().count() == history.count()
    assert SurveyResponse.objects.exists() and Pilot.objects.exists()
    for code in services:
        assert CostModel.objects.filter(service=code).count() == 4
        assert DigitalServiceCost.objects.filter(service=code).exists()

    start, end = default_period()
    results = compute(None, start=start, end=end)
    for k in results:
        assert k.completed > 0 and k.digital_take_up > 0, k.service
        assert k.cost_per_transaction_cents and k.median_hours is not None
        assert k.satisfaction is not None
    # Online use grows after launch (16 months ago for police): over the whole
    # history, the last six months' take-up beats the six before launch. (Within
    # the default twelve months the service had levelled off already, and at a
    # dozen cases a month the ends' shares crossed on some days.)
    [police] = compute(["police_report"], start=start - timedelta(days=366), end=end)

    def share(months):
        return sum(m.online_completed for m in months) / sum(m.completed for m in months)

    assert share(police.months[-6:]) > share(police.months[:6])
    # The rollups were rebuilt from the new cases: they agree with the raw cases.
    raw = compute(None, start=start, end=end, store=RawStore())
    for a, b in zip(results, raw, strict=True):
        assert (a.completed, a.savings.hard, a.hist) == (b.completed, b.savings.hard, b.hist)

    call_command("seed_demo", "--quiet", "--scale", "900")  # again: nothing added
    assert Case.objects.filter(contact_name=MARKER).count() == history.count()


def test_scale_zero_adds_no_history(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet", "--scale", "0")
    assert not Case.objects.filter(contact_name=MARKER).exists()
