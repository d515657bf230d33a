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

On PostgreSQL each loop takes its task with one statement (`ClaimingWorker`)
instead of django-tasks-db's four (BEGIN, SELECT … FOR UPDATE SKIP LOCKED,
UPDATE, COMMIT): the claim is a fixed cost on every task, and a worker
issuing approved police reports spends about a tenth of its time on it.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import sys
import threading
import time

from django.db import close_old_connections, connections, router
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)
# The loop's own lines under the library's logger, as its loop writes them
# (`cityhall worker -v` sets its level).
library_logger = logging.getLogger("django_tasks_db")


class ClaimingWorker(Worker):
    """django-tasks-db's worker loop; on PostgreSQL a task is claimed in one statement.

    `UPDATE … WHERE id = (SELECT id … FOR UPDATE SKIP LOCKED LIMIT 1)
    RETURNING *` picks the same task the library would (its `ready()` rows of
    this backend and these queues, in the model's order), skips rows another
    worker holds, marks it running under this worker's id and commits, as the
    library's claim does in its own transaction. Running the task, recording
    its outcome and the signals are the library's (`run_task`). SQLite has no
    SKIP LOCKED: there the library's loop runs unchanged.
    """

    def __init__(self, **options):
        super().__init__(**options)
        self.database = router.db_for_write(DBTaskResult)  # the claim writes

    def run(self) -> None:
        if connections[self.database].vendor != "postgresql":
            return super().run()
        library_logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # spreads the first polls of many workers
        while self.running:
            close_old_connections()  # as the library: dropped connections after a wait
            task_result = self.claim_next()
            if task_result is not None:
                self.run_task(task_result)
            elif self.batch:
                library_logger.info("No more tasks to run for worker_id=%s", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                library_logger.info("Ran %d tasks on worker=%s", self._run_tasks, self.worker_id)
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    def claim_next(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        pick, params = tasks.values("pk")[:1].query.get_compiler(using=self.database).as_sql()
        table = connections[self.database].ops.quote_name(DBTaskResult._meta.db_table)
        # Only the quoted table name and the ORM's compiled query go into the
        # text; every value is a parameter.
        claim = (
            f"UPDATE {table} SET status = %s, started_at = %s, "  # noqa: S608
            "worker_ids = worker_ids || %s::jsonb "
            f"WHERE id = ({pick} FOR UPDATE SKIP LOCKED) AND status = %s RETURNING *"
        )
        claimed = DBTaskResult.objects.raw(
            claim,
            [
                TaskResultStatus.RUNNING,
                timezone.now(),
                json.dumps([self.worker_id]),
                *params,
                TaskResultStatus.READY,
            ],
            using=self.database,
        )
        return next(iter(claimed), None)


class ThreadedWorker:
    def __init__(self, *, threads: int, **worker_options):
        if threads < 1:
            raise ValueError("a worker needs at least one thread")
        self.workers = [ClaimingWorker(**worker_options) for _ in range(threads)]
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
