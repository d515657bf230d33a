"""Public verification pages: whoever holds a document's code can check it is genuine.

The code is the only secret, so every page that resolves one counts against a
per-address limit, and an unknown code is a 404 like a missing page.
"""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cityhall.core.ratelimit import allow, client_address
from cityhall.core.storage import open_stored

from . import selectors, services
from .codes import InvalidCode, normalize_code
from .forms import CheckFileForm, VerifyCodeForm
from .kinds import kind_label
from .spec import DocumentSpec, numeric_columns

LOOKUPS_PER_HOUR = 60


@require_http_methods(["GET", "POST"])
def verify(request):
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "code" in request.GET else None)
    )
    form = VerifyCodeForm(data)
    if data is not None and form.is_valid():
        return redirect("documents:verify-code", code=form.cleaned_data["code"])
    return render(request, "documents/verify.html", {"form": form})


def _canonical(code: str) -> str | None:
    try:
        return normalize_code(code)
    except InvalidCode:
        return None


def _find(request, code: str):
    """(document, None), or (None, the response to send instead)."""
    if not allow(
        f"documents:{client_address(request)}", limit=LOOKUPS_PER_HOUR, window_seconds=3600
    ):
        return None, render(request, "documents/too_many.html", status=429)
    document = selectors.document_for_code(code)
    if document is None:
        typed = code[:40]
        form = VerifyCodeForm(initial={"code": typed})
        return None, render(
            request, "documents/not_found.html", {"form": form, "typed": typed}, status=404
        )
    return document, None


def _versions(document) -> dict:
    current = document.current_version()
    return {
        "current": current,
        "is_current": current.pk == document.pk,
        "replaced_by": None if current.pk == document.pk else document.next_version(),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def verify_code(request, code):
    canonical = _canonical(code)
    if request.method == "GET" and canonical and canonical != code:
        return redirect("documents:verify-code", code=canonical)
    document, response = _find(request, code)
    if response:
        return response
    matches = None
    if request.method == "POST":
        form = CheckFileForm(request.POST, request.FILES)
        if form.is_valid():
            # One byte more than the original is enough to know a longer file differs.
            data = form.cleaned_data["file"].read(document.size + 1)
            matches = services.verify_upload(document=document, data=data)
    else:
        form = CheckFileForm()
    return render(
        request,
        "documents/verify_code.html",
        {
            "document": document,
            "spec": document.spec,
            "kind_label": kind_label(document.kind),
            "form": form,
            "matches": matches,
            **_versions(document),
        },
    )


def _table(table) -> dict | None:
    if table is None:
        return None
    right = numeric_columns(table)
    return {
        "columns": list(zip(table.columns, right, strict=True)),
        "rows": [list(zip(row, right, strict=True)) for row in table.rows],
        "total": list(zip(table.total_row, right, strict=True)) if table.total_row else None,
    }


@never_cache
@require_GET
def document_html(request, code):
    canonical = _canonical(code)
    if canonical and canonical != code:
        return redirect("documents:document-html", code=canonical)
    document, response = _find(request, code)
    if response:
        return response
    spec = DocumentSpec.from_dict(document.spec)
    sections = [{"section": s, "table": _table(s.table)} for s in spec.sections]
    return render(
        request,
        "documents/document.html",
        {"document": document, "spec": spec, "sections": sections, **_versions(document)},
    )


@never_cache
@require_GET
def document_pdf(request, code):
    canonical = _canonical(code)
    if canonical and canonical != code:
        return redirect("documents:document-pdf", code=canonical)
    document, response = _find(request, code)
    if response:
        return response
    response = FileResponse(
        open_stored(document.file),
        content_type="application/pdf",
        filename=f"{document.kind}-{document.verification_code}.pdf",
    )
    response["X-Robots-Tag"] = "noindex"
    return response
