"""Demo services made with the builder (filled in by a later slice)."""


def seed(stdout) -> None:
    from .demo_services import seed_services

    seed_services(stdout)
