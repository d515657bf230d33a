from django_tasks import task


@task()
def ping() -> str:
    """A no-op task: lets operators (and tests) check that a worker runs tasks."""
    return "pong"
