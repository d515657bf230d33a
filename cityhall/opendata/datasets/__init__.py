"""Each module registers its dataset(s) on import."""

from . import facilities, forms, performance, permits, property  # noqa: F401
