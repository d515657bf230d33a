"""Small-count suppression, with complementary suppression (docs/opendata.md,
docs/decisions/0010-open-data-suppression-and-streaming.md).

A dataset that counts people's reports is published as groups: each group
(one month) has cells (one per neighbourhood and category, say) and one total
row, and total = the sum of its cells for every additive measure. With k the
city's threshold (CITYHALL_OPEN_DATA_MIN_CELL), inside each group:

1. a cell counting fewer than k people is suppressed (primary);
2. a group whose total counts fewer than k people is suppressed whole,
   total included;
3. when a group has suppressed cells, they are at least two, and together
   they count at least k people: else the next smallest published cell is
   suppressed too, until both hold (complementary). The total minus the
   published cells then only tells the sum of two or more suppressed cells,
   which is itself at least k people, never one cell.

Groups share no published totals (no totals across months or across
neighbourhoods), so no equation spans two groups and no combination of
published rows isolates a suppressed cell. A suppressed row is published with
its labels and empty measures, so readers see that something was withheld.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field


@dataclass
class Cell:
    key: Hashable  # the row's labels
    people: set = field(default_factory=set)  # who is counted (report ids): never published
    measures: dict = field(default_factory=dict)  # additive figures published when not suppressed
    suppressed: bool = False

    @property
    def count(self) -> int:
        return len(self.people)


@dataclass
class Group:
    key: Hashable
    cells: list[Cell] = field(default_factory=list)
    total: Cell | None = None


def suppress_group(group: Group, k: int) -> Group:
    total_people = set().union(*(c.people for c in group.cells)) if group.cells else set()
    if group.total is not None:
        total_people |= group.total.people
    if len(total_people) < k:
        for cell in group.cells:
            cell.suppressed = True
        if group.total is not None:
            group.total.suppressed = True
        return group
    for cell in group.cells:
        if cell.count < k:
            cell.suppressed = True
    while True:
        hidden = [c for c in group.cells if c.suppressed]
        shown = sorted((c for c in group.cells if not c.suppressed), key=_smallest_first)
        if not hidden or not shown:
            break
        hidden_people = set().union(*(c.people for c in hidden))
        if len(hidden) >= 2 and len(hidden_people) >= k:
            break
        shown[0].suppressed = True
    return group


def _smallest_first(cell: Cell):
    return (cell.count, str(cell.key))


def suppress(groups: list[Group], k: int) -> list[Group]:
    for group in groups:
        suppress_group(group, k)
    return groups
