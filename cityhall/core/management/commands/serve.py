import multiprocessing
import os

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

            def load(self):
                return application

        self.stdout.write(f"CityHall on http://{bind} with {workers} web processes")
        CityHallServer().run()
