"""One `cityhall worker` process running tasks on threads (core/worker.py)."""

from __future__ import annotations

import sys
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.models import DBTaskResult

from cityhall.core.tests import slow_tasks
from cityhall.core.worker import ThreadedWorker
from cityhall.documents.pdf import Section, Table, render_pdf
from cityhall.documents.tests.factories import make_spec


def _worker(threads: int) -> ThreadedWorker:
    return ThreadedWorker(
        threads=threads,
        queue_names=["*"],
        interval=0.05,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def test_two_threads_run_two_tasks_at_once(transactional_db):
    slow_tasks.MEETING.reset()
    for _ in range(2):
        slow_tasks.meet.enqueue()
    _worker(threads=2).run()
    results = list(DBTaskResult.objects.values_list("status", "return_value", "worker_ids"))
    assert [status for status, _, _ in results] == ["SUCCESSFUL", "SUCCESSFUL"], results
    # Each thread took one; both under the process's one worker id (heartbeat, reaper).
    assert {name for _, name, _ in results} == {"cityhall-task-1", "cityhall-task-2"}
    assert {tuple(ids) for _, _, ids in results} == {("test-worker",)}


def test_one_thread_runs_them_one_after_the_other(transactional_db):
    slow_tasks.MEETING.reset()
    slow_tasks.meet.enqueue(1)
    _worker(threads=1).run()  # alone at the meeting: the barrier gives up
    assert DBTaskResult.objects.get().status == "FAILED"


def test_a_thread_that_fails_stops_the_whole_worker(transactional_db, monkeypatch):
    worker = _worker(threads=2)
    stopped = threading.Event()

    def broken():
        raise RuntimeError("the database went away")

    def patient():
        while worker.workers[1].running:  # until the failing thread stops everyone
            stopped.wait(0.01)
        stopped.set()

    monkeypatch.setattr(worker.workers[0], "run", broken)
    monkeypatch.setattr(worker.workers[1], "run", patient)
    with pytest.raises(SystemExit) as exit_:
        worker.run()
    assert exit_.value.code == 1  # the supervisor starts it again
    assert stopped.is_set()


@pytest.mark.parametrize("threads", ["0", "33", "x"])
def test_a_wrong_thread_count_is_refused(db, threads):
    with pytest.raises((CommandError, SystemExit)):
        call_command("worker", "--batch", "--threads", threads)


def _all_at_once(threads) -> None:
    """Runs the threads with Python switching between them as often as it can."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)


def test_one_pdf_is_rendered_at_a_time_whatever_the_threads(monkeypatch):
    """ReportLab's authors call it unsafe on threads (module state: font subsets,
    its paragraph parser): documents/pdf.py lets one render run at a time."""
    from cityhall.documents import pdf

    inside, most = 0, 0
    count = threading.Lock()
    real = pdf._render_pdf

    def counted(spec):
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        try:
            return real(spec)
        finally:
            with count:
                inside -= 1

    monkeypatch.setattr(pdf, "_render_pdf", counted)
    _all_at_once([threading.Thread(target=render_pdf, args=(make_spec(),)) for _ in range(6)])
    assert most == 1


def test_pdfs_rendered_on_several_threads_each_hold_their_own_text():
    """What the worker's threads rely on: each document is its own, including
    characters outside Helvetica (the embedded fallback font's subset)."""
    from io import BytesIO

    from pypdf import PdfReader

    texts = [f"Łukasz Wężyk {n} — Ελένη {n} — Фёдор {n}" for n in range(12)]
    results: dict[int, bytes] = {}

    def render(n: int) -> None:
        table = Table(columns=("Item", "Serial"), rows=((texts[n], f"SN-{n}"),))
        spec = make_spec(title=texts[n], sections=(Section(heading=texts[n], table=table),))
        results[n] = render_pdf(spec)

    _all_at_once([threading.Thread(target=render, args=(n,)) for n in range(len(texts))])
    for n, pdf in results.items():
        text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
        assert f"Wężyk {n}" in text and f"SN-{n}" in text, (n, text)
        assert all(f"Wężyk {m} " not in text for m in range(len(texts)) if m != n)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_stop_signal_lets_the_running_tasks_finish(tmp_path):
    """systemd's SIGTERM: both threads finish what they hold, then the process exits 0."""
    import signal
    import subprocess
    import time

    from cityhall.core.tests.slow_tasks import write_then_wait
    from cityhall.testing import ROOT, process_env

    markers = [tmp_path / "one.txt", tmp_path / "two.txt"]
    results = [write_then_wait.enqueue(str(marker), 3) for marker in markers]
    worker = subprocess.Popen(
        [sys.executable, "-m", "cityhall.cli", "worker", "--threads", "2", "--interval", "0.1"],
        cwd=ROOT,
        env=process_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not all(marker.exists() for marker in markers):
            assert time.monotonic() < deadline, "the two tasks did not start together"
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, worker.stderr.read().decode()[-2000:]
    finally:
        if worker.poll() is None:
            worker.kill()
    for marker in markers:
        assert marker.read_text().split() == ["started", "finished"]
    assert set(
        DBTaskResult.objects.filter(pk__in=[r.id for r in results]).values_list("status", flat=True)
    ) == {"SUCCESSFUL"}
