"""Tasks the fault tests run in real worker processes (importable by path)."""

import threading
import time
from pathlib import Path

from django_tasks import task


@task()
def write_then_wait(marker: str, seconds: float) -> str:
    """Notes each start in `marker`; the first run waits `seconds` (to be killed in)."""
    path = Path(marker)
    first = not path.exists()
    with path.open("a") as handle:
        handle.write("started\n")
    if first:
        time.sleep(seconds)
    with path.open("a") as handle:
        handle.write("finished\n")
    return "done"


# Two tasks that can only finish together: proof that one worker runs two at once.
MEETING = threading.Barrier(2)


@task()
def meet(wait: float = 20) -> str:
    MEETING.wait(timeout=wait)  # BrokenBarrierError (the task fails) if alone
    return threading.current_thread().name


# Every run of `note`, to count how often each task ran (worker claim tests).
RUNS: list[int] = []
RUNS_LOCK = threading.Lock()


@task()
def note(n: int) -> int:
    with RUNS_LOCK:
        RUNS.append(n)
    return n
