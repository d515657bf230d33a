# Moved to cityhall.core.guards; kept while code is being updated. Import from core.
from cityhall.core.guards import enforce_staff_access, role_required, staff_access, staff_required  # noqa: F401
