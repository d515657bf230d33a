"""Answer patterns (regular expressions) typed by staff, checked before they are used.

Python's `re` has no time limit, so a pattern like `(a+)+$` can take minutes
on a 30-character answer (catastrophic backtracking). Rather than run staff
patterns with a timeout, we refuse the shapes that cause it, statically and
conservatively, on the parsed pattern:

- a repeat of more than 10 (`*`, `+`, `{2,}`) containing another such repeat — `(a+)+`,
  `(\\w+\\s?)*` (small bounded repeats like `(\\d{3}-){2}` are fine);
- such a repeat containing alternatives — `(a|ab)*`, `(\\d|\\w)+`;
- backreferences and lookarounds (never needed for a form answer);
- patterns over 200 characters.

This rejects a few harmless patterns too (`(ab|cd)+`); the builder says why and
staff write it another way. Answers are also capped in length before matching.
"""

from __future__ import annotations

import functools
import re

try:  # Python 3.11+
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

import re2
from django.utils.translation import gettext as _

MAX_PATTERN = 200
# A repeat allowing more than this many times counts as unbounded; `(\\d{3}-){2}` is fine.
BIG_REPEAT = 10
_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}
_POSSESSIVE = getattr(sre_parse, "POSSESSIVE_REPEAT", None)
_FORBIDDEN = {sre_parse.GROUPREF, sre_parse.ASSERT, sre_parse.ASSERT_NOT}


class UnsafePattern(ValueError):
    """The message says what is wrong, for the person who typed the pattern."""


def _children(op, arg):
    if op in _REPEATS or op == _POSSESSIVE:
        yield arg[2]
    elif op == sre_parse.SUBPATTERN:
        yield arg[-1]
    elif op == sre_parse.BRANCH:
        yield from arg[1]
    elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
        yield arg[1]


def _walk(items, inside_repeat: bool) -> None:
    for op, arg in items:
        if op in _FORBIDDEN or op == getattr(sre_parse, "GROUPREF_EXISTS", None):
            raise UnsafePattern(
                _("Back-references and look-ahead or look-behind are not allowed in a pattern.")
            )
        unbounded = op in _REPEATS and arg[1] > BIG_REPEAT
        if inside_repeat and unbounded:
            raise UnsafePattern(
                _(
                    "This pattern repeats a group that itself repeats, like (a+)+: it can take "
                    "minutes to check one answer. Write it without the nested repeat."
                )
            )
        if inside_repeat and op == sre_parse.BRANCH:
            raise UnsafePattern(
                _(
                    "This pattern repeats a group of alternatives, like (a|ab)*: it can take "
                    "minutes to check one answer. Use a character class like [ab] instead."
                )
            )
        for child in _children(op, arg):
            _walk(child, inside_repeat or unbounded)


def check_pattern(pattern: str) -> re.Pattern:
    """The compiled pattern, or UnsafePattern with a message fit for staff."""
    if not isinstance(pattern, str) or not pattern:
        raise UnsafePattern(_("The pattern is empty."))
    if len(pattern) > MAX_PATTERN:
        raise UnsafePattern(_("Keep the pattern to %(n)d characters.") % {"n": MAX_PATTERN})
    try:
        compiled = re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        raise UnsafePattern(
            _("The pattern is not a valid regular expression: %(error)s.") % {"error": error}
        ) from None
    _walk(parsed, inside_repeat=False)
    try:
        safe_pattern(pattern)
    except re2.error:
        raise UnsafePattern(
            _("This pattern uses a feature that answers cannot be checked with.")
        ) from None
    return compiled


@functools.lru_cache(maxsize=512)
def safe_pattern(pattern: str):
    """The pattern on RE2, whose matching time grows only with the answer's
    length whatever the pattern: answers are always checked with this one. The
    static check above stays to explain slow shapes to the person typing them;
    it cannot catch them all (bounded repeats, atomic groups...), RE2 does not
    need it to."""
    return re2.compile(pattern)
