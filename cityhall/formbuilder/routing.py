"""Which page comes next: the routes of a page (first match wins), then the next
page in order, skipping pages whose `show_if` is not met. Pure functions on a
Definition and the answers so far."""

from __future__ import annotations

from .definition import END, Definition, Page


def _following(pages, index: int) -> str:
    return pages[index + 1].key if index + 1 < len(pages) else END


def find_loop(pages: list[Page]) -> list[str] | None:
    """A cycle in the graph of possible moves (next page, every route), or None."""
    edges = {}
    for i, page in enumerate(pages):
        edges[page.key] = {_following(pages, i), *(r.goto for r in page.routes)}
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(key: str, trail: list[str]) -> list[str] | None:
        if key == END or key not in edges or state.get(key) == 2:
            return None
        if state.get(key) == 1:
            return [*trail[trail.index(key) :], key]
        state[key] = 1
        for target in sorted(edges[key]):
            loop = visit(target, [*trail, key])
            if loop:
                return loop
        state[key] = 2
        return None

    for page in pages:
        loop = visit(page.key, [])
        if loop:
            return loop
    return None


def _shown(definition: Definition, key: str, answers: dict) -> str:
    """`key`, or the first page after it whose condition is met (END if none)."""
    keys = [p.key for p in definition.pages]
    while key != END:
        page = definition.page(key)
        if page.show_if is None or page.show_if.met(answers):
            return key
        key = _following(definition.pages, keys.index(key))
    return END


def first_page(definition: Definition, answers: dict) -> str:
    return _shown(definition, definition.pages[0].key, answers)


def next_page(definition: Definition, key: str, answers: dict) -> str:
    page = definition.page(key)
    for route in page.routes:
        if route.when.met(answers):
            return _shown(definition, route.goto, answers)
    keys = [p.key for p in definition.pages]
    return _shown(definition, _following(definition.pages, keys.index(key)), answers)


def path(definition: Definition, answers: dict) -> list[Page]:
    """The pages this resident goes through, in order, with these answers."""
    pages, key = [], first_page(definition, answers)
    while key != END and len(pages) <= len(definition.pages):
        pages.append(definition.page(key))
        key = next_page(definition, key, answers)
    return pages


def previous_page(definition: Definition, key: str, answers: dict) -> str | None:
    keys = [p.key for p in path(definition, answers)]
    if key in keys and keys.index(key) > 0:
        return keys[keys.index(key) - 1]
    return None


def relevant_answers(definition: Definition, answers: dict) -> dict:
    """Only the answers on the resident's path: a page skipped later is not sent."""
    keys = {q.key for page in path(definition, answers) for q in page.questions}
    return {k: v for k, v in answers.items() if k in keys}
