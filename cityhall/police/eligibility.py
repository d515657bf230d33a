"""Who can report online: the eligibility questions, one a page, and the
answers that send a resident to 911 or to an officer instead.

A table, not code in the view, so a city can change a question's wording or
order in one place (and the Spanish catalogue follows).
"""

from django.utils.translation import gettext_lazy

# question code -> (question, hint, choices, {answer: ineligible reason})
QUESTIONS = {
    "emergency": (
        gettext_lazy("Is this an emergency, or is anyone in danger right now?"),
        "",
        None,
        {"yes": "emergency"},
    ),
    "kind": (
        gettext_lazy("Was your property lost or stolen?"),
        gettext_lazy("Choose “stolen” if you believe someone took it."),
        [("lost", gettext_lazy("Lost")), ("stolen", gettext_lazy("Stolen"))],
        {},
    ),
    "suspect": (
        gettext_lazy("Do you know who took it, or could you describe or identify them?"),
        gettext_lazy(
            "For example, you saw them, know their name, or have a photo or video of them."
        ),
        None,
        {"yes": "suspect"},
    ),
    "injury": (
        gettext_lazy("Was anyone hurt, threatened or attacked?"),
        "",
        None,
        {"yes": "injury"},
    ),
    "location": (
        gettext_lazy("Did it happen inside the city?"),
        gettext_lazy("Within the city limits, not in a neighboring city or on a highway."),
        [
            ("yes", gettext_lazy("Yes")),
            ("no", gettext_lazy("No")),
            ("unsure", gettext_lazy("I am not sure")),
        ],
        {"no": "outside"},
    ),
}
QUESTION_ORDER = ["emergency", "kind", "suspect", "injury", "location"]


def questions_for(answers: dict) -> list[str]:
    order = list(QUESTION_ORDER)
    if answers.get("kind") == "lost":
        order = [q for q in order if q not in {"suspect", "injury"}]
    return order


def next_question(answers: dict) -> str | None:
    return next((q for q in questions_for(answers) if q not in answers), None)


# The pages explaining what to do instead (police/report/ineligible.html).
INELIGIBLE = {"emergency", "suspect", "injury", "outside"}
