"""One `cityhall worker` process running tasks on several threads.

django-tasks-db's worker runs one task at a time, so a process spends a
large part of every task waiting: on the database between statements, on the
mail server, on a records system or a virus scanner. Threads let one task use
the processor while another waits (Python's lock on the interpreter is
released while a thread waits on a socket). Each thread is django-tasks-db's
own loop with its own database connection (Django's connections are per
thread); the database hands each task to exactly one of them (`SELECT … FOR
UPDATE SKIP LOCKED` on PostgreSQL, an exclusive transaction on SQLite), as it
does between processes. All threads share the process's worker id, so the
heartbeat and the dead-worker reaper (core/reaper.py) treat them as one worker.

What the tasks call must be safe on threads: ReportLab is not, so PDF
rendering takes a process-wide lock (documents/pdf.py); the SMTP session is
kept per thread (notifications/connections.py).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from django.db import connections

logger = logging.getLogger(__name__)


class ThreadedWorker:
    def __init__(self, *, threads: int, **worker_options):
        from django_tasks_db.management.commands.db_worker import Worker

        if threads < 1:
            raise ValueError("a worker needs at least one thread")
        self.workers = [Worker(**worker_options) for _ in range(threads)]
        self.stopping = False
        self.failed = False

    def stop(self, signum=None, frame=None) -> None:
        """First signal: finish the running tasks, take no new ones. Second: leave now."""
        if self.stopping and signum is not None:
            logger.warning("second stop signal: leaving without finishing the running tasks")
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(1)  # the other threads are not daemons: SystemExit would wait for them
        self.stopping = True
        for worker in self.workers:
            worker.running = False

    def _run_one(self, worker) -> None:
        try:
            worker.run()
        except BaseException:
            # As a one-thread worker does (the database gone, say): the process
            # stops with an error and its supervisor starts it again.
            logger.exception("a worker thread stopped on an error; stopping the worker")
            self.failed = True
            self.stop()
        finally:
            connections.close_all()  # this thread's connections

    def run(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for name in ("SIGINT", "SIGTERM", "SIGQUIT"):
                if hasattr(signal, name):
                    signal.signal(getattr(signal, name), self.stop)
        if len(self.workers) == 1:  # as django-tasks-db's own command: on this thread
            self._run_one(self.workers[0])
            if self.failed:
                raise SystemExit(1)
            return
        threads = [
            threading.Thread(target=self._run_one, args=(worker,), name=f"cityhall-task-{n}")
            for n, worker in enumerate(self.workers, start=1)
        ]
        for thread in threads:
            thread.start()
        # join() with a timeout, so the main thread wakes up to run signal handlers.
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
        if self.failed:
            raise SystemExit(1)
