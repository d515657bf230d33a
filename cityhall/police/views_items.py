"""The items step: list, add, change and remove lost or stolen property."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import (
    ItemForm,
)
from .journey import (
    guard,
    maybe_save_for_later,
    next_step,
    step_context,
)
from .services import ItemInput, ReportError


@require_http_methods(["GET", "POST"])
def items(request):
    report, stop = guard(request)
    if stop:
        return stop
    listed = list(report.items.select_related("photo"))
    if request.method == "POST":
        if "save_for_later" in request.POST:
            return maybe_save_for_later(request, report)
        if not listed:
            messages.error(request, _("Add at least one item before you continue."))
        else:
            return next_step(report, "items")
    return render(
        request,
        "police/report/items.html",
        {
            "report": report,
            "items": listed,
            "max_items": services.validation.MAX_ITEMS,
            **step_context("items"),
        },
    )


def item_input(data) -> ItemInput:
    return ItemInput(
        category=data["category"],
        description=data["description"],
        brand=data["brand"],
        model=data["model"],
        serial_number=data["serial_number"],
        quantity=data["quantity"],
        value_cents=data["value"],
    )


@require_http_methods(["GET", "POST"])
def item_form(request, item_id=None):
    report, stop = guard(request)
    if stop:
        return stop
    existing = report.items.filter(pk=item_id).first() if item_id else None
    if item_id and existing is None:
        raise Http404
    if (
        existing is None
        and report.items.count() >= services.validation.MAX_ITEMS
        and request.method == "GET"
    ):
        messages.error(
            request,
            _("A report can list at most %(max)d items.") % {"max": services.validation.MAX_ITEMS},
        )
        return redirect("police:items")
    form = ItemForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=ItemForm.initial_from(existing) if existing else None,
    )
    if request.method == "POST" and form.is_valid():
        uploaded_by = request.user if request.user.is_authenticated else None
        try:
            if existing:
                services.update_item(
                    report=report,
                    item_id=existing.pk,
                    item=item_input(form.cleaned_data),
                    photo=form.cleaned_data["photo"],
                    remove_photo=form.cleaned_data.get("remove_photo", False),
                    uploaded_by=uploaded_by,
                )
            else:
                services.add_item(
                    report=report,
                    item=item_input(form.cleaned_data),
                    photo=form.cleaned_data["photo"],
                    uploaded_by=uploaded_by,
                )
        except ReportError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("police:items")
    return render(
        request,
        "police/report/item_form.html",
        {"form": form, "report": report, "item": existing, **step_context("items")},
    )


@require_http_methods(["GET", "POST"])
def item_remove(request, item_id):
    report, stop = guard(request)
    if stop:
        return stop
    item = report.items.filter(pk=item_id).first()
    if item is None:
        return redirect("police:items")
    if request.method == "POST":
        services.remove_item(report=report, item_id=item.pk)
        messages.success(request, _("Removed “%(item)s”.") % {"item": item.description})
        return redirect("police:items")
    return render(
        request,
        "police/report/item_remove.html",
        {"item": item, "report": report, **step_context("items")},
    )
