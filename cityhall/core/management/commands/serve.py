import multiprocessing
import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve CityHall with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(
                os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9))
            ),
            help="Web processes (default: WEB_CONCURRENCY or 2 x cores + 1).",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip collecting static files (when a deploy step already did).",
        )

    def handle(self, *args, host, port, workers, no_collectstatic, **options):
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        _share_metrics_between_processes()
        from gunicorn.app.base import BaseApplication

        from cityhall.wsgi import application

        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

        class CityHallServer(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", [bind])
                self.cfg.set("workers", workers)
                self.cfg.set("worker_class", "sync")
                self.cfg.set("timeout", 60)
                self.cfg.set("graceful_timeout", 20)
                self.cfg.set("max_requests", 5000)
                self.cfg.set("max_requests_jitter", 500)
                self.cfg.set("accesslog", "-" if settings.DEBUG else None)
                self.cfg.set("errorlog", "-")
                self.cfg.set("proc_name", "cityhall")
                forwarded = os.environ.get("FORWARDED_ALLOW_IPS")
                if forwarded:
                    self.cfg.set("forwarded_allow_ips", forwarded)
                self.cfg.set("child_exit", _forget_process_metrics)

            def load(self):
                return application

        self.stdout.write(f"CityHall on http://{bind} with {workers} web processes")
        CityHallServer().run()


def _share_metrics_between_processes() -> None:
    """Request metrics are counted per web process; prometheus_client sums them
    from files in one folder. It must be set before prometheus_client is first
    imported and emptied at start (old processes' counts would add up)."""
    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.VAR_DIR / "metrics")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.db"):
        old.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _forget_process_metrics(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
