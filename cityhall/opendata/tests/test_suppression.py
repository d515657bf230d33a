"""The suppression rule on its own: no published cell below the threshold, and
none recoverable from a month's total by subtraction (docs/opendata.md)."""

import random

import pytest

from cityhall.opendata.suppression import Cell, Group, suppress_group

K = 5


def group_of(counts, *, shared=0):
    """A month with one cell per count (people numbered apart, except `shared`
    people who are in the first two cells, as one report with two categories)."""
    cells, person = [], 0
    for i, n in enumerate(counts):
        people = set(range(person, person + n))
        person += n
        cells.append(Cell(("m", i), people=people, measures={"items": n}))
    for j in range(shared):
        cells[0].people.add(f"shared{j}")
        cells[1].people.add(f"shared{j}")
    total = Cell(("m", "ALL"), people=set().union(*(c.people for c in cells)))
    total.measures = {"items": sum(c.measures["items"] for c in cells)}
    return Group("m", cells=cells, total=total)


def attack(group: Group, k: int) -> None:
    """What a reader can do with the published rows of one group."""
    published = [c for c in group.cells if not c.suppressed]
    hidden = [c for c in group.cells if c.suppressed]
    for cell in published:
        assert cell.count >= k, cell  # no small cell is shown
    if group.total.suppressed:
        assert all(c.suppressed for c in group.cells)
        return
    assert group.total.count >= k
    if hidden:
        # total - published = the sum of the hidden cells: never one cell alone,
        # and never fewer than k people together.
        assert len(hidden) >= 2
        assert len(set().union(*(c.people for c in hidden))) >= k


def test_one_small_cell_takes_the_next_smallest_with_it():
    group = suppress_group(group_of([2, 7, 9, 30]), K)
    assert [c.suppressed for c in group.cells] == [True, True, False, False]
    # Subtraction attack: total 48 - published (9 + 30) = 9 = the two hidden cells together.
    shown = sum(c.measures["items"] for c in group.cells if not c.suppressed)
    assert group.total.measures["items"] - shown == 2 + 7
    attack(group, K)


def test_two_small_cells_that_together_count_fewer_than_k_take_a_third():
    group = suppress_group(group_of([1, 2, 6, 40]), K)
    assert [c.suppressed for c in group.cells] == [True, True, True, False]
    attack(group, K)


def test_a_month_below_the_threshold_is_withheld_whole():
    group = suppress_group(group_of([1, 3]), K)
    assert group.total.suppressed and all(c.suppressed for c in group.cells)


def test_nothing_is_withheld_when_every_cell_is_large_enough():
    group = suppress_group(group_of([5, 8, 12]), K)
    assert not any(c.suppressed for c in group.cells) and not group.total.suppressed


def test_a_single_large_cell_is_the_total_and_is_shown():
    group = suppress_group(group_of([9]), K)
    assert not group.cells[0].suppressed and not group.total.suppressed


def test_the_last_small_cell_cannot_hide_behind_a_total_alone():
    # Two cells: 3 and 20. Hiding only the 3 lets total - 20 = 3 back out.
    group = suppress_group(group_of([3, 20]), K)
    assert all(c.suppressed for c in group.cells) and not group.total.suppressed
    attack(group, K)


@pytest.mark.parametrize("seed", range(300))
def test_random_months_never_leak_a_small_cell(seed):
    rng = random.Random(seed)
    k = rng.choice([3, 5, 10])
    counts = [rng.choice([1, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for _ in range(rng.randint(1, 9))]
    shared = rng.randint(0, 2) if len(counts) >= 2 else 0
    group = suppress_group(group_of(counts, shared=shared), k)
    attack(group, k)
