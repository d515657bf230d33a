"""Workflows as small declarative tables.

A service declares its states (what staff and residents call them, whether a
decision or the end is reached, a deadline and what happens when it passes)
and its transitions (from which states, to which, who may take them). What
happens on entering a state — an email, a PDF, an invoice — is a list of
hooks called inside the same transaction as the change, so a hook that writes
an outbox row commits or rolls back with it. Views never compare status
strings; they ask the workflow what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Case, CaseEvent

# Who may take a transition, besides staff roles:
APPLICANT = "applicant"  # the resident the case belongs to (signed link or account)
SYSTEM = "system"  # the worker: deadlines, automatic steps

Hook = Callable[["Case", "CaseEvent"], Any]


@dataclass(frozen=True)
class State:
    code: str
    label: Any  # lazy string, for staff
    public_label: Any = None  # what residents see; defaults to label
    submitted: bool = False  # entering it the first time is the submission (starts the clock)
    decided: bool = False  # entering records decided_at / decided_by
    closed: bool = False  # entering records closed_at; no transitions out expected
    deadline: timedelta | None = None
    timeout_transition: str | None = None
    reminder_before: timedelta | None = None
    # Whether staff are waiting to act (counts in the queue and its age).
    awaiting_staff: bool = False

    @property
    def resident_label(self):
        return self.public_label or self.label


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: Any
    roles: frozenset[str] = frozenset()
    reason_required: bool = False

    def allows(self, actor_roles: Iterable[str]) -> bool:
        return bool(self.roles & set(actor_roles))


@dataclass
class Workflow:
    initial: str
    states: dict[str, State]
    transitions: dict[str, Transition]
    on_enter: dict[str, list[Hook]] = field(default_factory=dict)
    on_reminder: dict[str, list[Hook]] = field(default_factory=dict)

    def __post_init__(self):
        if self.initial not in self.states:
            raise ValueError(f"initial state {self.initial!r} is not a state")
        for t in self.transitions.values():
            unknown = {*t.sources, t.target} - set(self.states)
            if unknown:
                raise ValueError(f"transition {t.name!r} names unknown states {unknown}")
        for state in self.states.values():
            if state.deadline and state.timeout_transition not in self.transitions:
                raise ValueError(f"state {state.code!r} has a deadline but no timeout transition")

    @classmethod
    def build(
        cls, *, initial: str, states: Iterable[State], transitions: Iterable[Transition]
    ) -> Workflow:
        return cls(
            initial=initial,
            states={s.code: s for s in states},
            transitions={t.name: t for t in transitions},
        )

    def state(self, code: str) -> State:
        return self.states[code]

    def available(self, status: str, actor_roles: Iterable[str]) -> list[Transition]:
        roles = set(actor_roles)
        return [t for t in self.transitions.values() if status in t.sources and t.allows(roles)]

    def enter(self, state: str, hook: Hook) -> None:
        self.on_enter.setdefault(state, []).append(hook)

    def remind(self, state: str, hook: Hook) -> None:
        self.on_reminder.setdefault(state, []).append(hook)

    def awaiting_staff_states(self) -> list[str]:
        return [s.code for s in self.states.values() if s.awaiting_staff]
