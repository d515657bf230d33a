"""The resident's satisfaction survey: a signed link, no account, one answer per case."""

from __future__ import annotations

from contextlib import suppress

from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from .forms import SurveyForm
from .models import SurveyResponse
from .survey import AlreadyAnswered, case_from_token, eligible, submit_answer


@require_http_methods(["GET", "POST"])
def survey(request, token):
    case = case_from_token(token)
    if case is None or not eligible(case):
        return render(request, "insights/survey_invalid.html", status=404)
    if SurveyResponse.objects.filter(case=case).exists():
        return render(request, "insights/survey_thanks.html", {"case": case})
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # Answered in another tab a moment ago: the thank-you page says so.
        with suppress(AlreadyAnswered):
            submit_answer(
                case=case,
                satisfaction=form.cleaned_data["satisfaction"],
                trust=form.cleaned_data["trust"],
                comment=form.cleaned_data["comment"],
                language=get_language() or case.language,
            )
        return redirect("insights:survey", token=token)
    return render(request, "insights/survey.html", {"form": form, "case": case})
