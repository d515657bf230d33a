"""Public pages under the language prefix: the transparency page, the dataset
list and each dataset's page with its data dictionary."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import registry, selectors
from .registry import FREQUENCY_LABELS


@require_safe
def transparency(request):
    context = selectors.transparency()
    context["datasets"] = selectors.datasets_with_summaries()
    context["min_cell"] = registry.min_cell()
    return render(request, "opendata/transparency.html", context)


@require_safe
def dataset_list(request):
    return render(
        request,
        "opendata/datasets.html",
        {"datasets": selectors.datasets_with_summaries(), "min_cell": registry.min_cell()},
    )


@require_safe
def dataset_page(request, slug: str):
    try:
        dataset = registry.get(slug)
    except LookupError:
        raise Http404(slug) from None
    query = selectors.default_query(dataset)
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": dataset,
            "summary": selectors.summary(dataset),
            "query": query,
            "frequency": FREQUENCY_LABELS.get(dataset.periodicity, dataset.periodicity),
            "licence": registry.LICENCE,
            "min_cell": registry.min_cell(),
        },
    )
