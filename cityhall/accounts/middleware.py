from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from cityhall.core.guards import STAFF_PATH, enforce_staff_access

LAST_SEEN_KEY = "staff_last_seen"


class StaffIdleTimeoutMiddleware:
    """Ends a staff session after STAFF_IDLE_TIMEOUT without a request (CJIS 5.5.5).

    Residents keep the ordinary session length. Also guards every staff URL
    (/staff/, /admin/, in any language) so no staff page can be reached
    without a staff role and a verified second factor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.is_city_staff:
            now = timezone.now().timestamp()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen and now - last_seen > settings.STAFF_IDLE_TIMEOUT.total_seconds():
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.STAFF_IDLE_TIMEOUT.total_seconds() // 60},
                )
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            request.session[LAST_SEEN_KEY] = now
        if STAFF_PATH.match(request.path_info):
            stop = enforce_staff_access(request)
            if stop is not None:
                return stop
        response = self.get_response(request)
        if user.is_authenticated and not response.has_header("Cache-Control"):
            # Pages for a signed-in person show their data (or residents'): never
            # kept by the browser or a shared cache (ASVS 5.0 14.3.2).
            patch_cache_control(response, private=True, no_store=True)
        return response
