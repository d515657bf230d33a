from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from cityhall.api import api
from cityhall.core import urls as core_urls
from cityhall.opendata import urls as opendata_urls

admin.site.site_header = admin.site.site_title = "CityHall administration"

urlpatterns = [
    path("", include((core_urls.plain_urlpatterns, "plain"))),
    path("api/v1/", api.urls),
    path("", include("cityhall.payments.urls_plain")),
    path("admin/", admin.site.urls),
    path("", include((opendata_urls.plain_urlpatterns, "opendata-plain"))),
]

urlpatterns += i18n_patterns(
    path("", include("cityhall.core.urls")),
    path("accounts/", include("cityhall.accounts.urls")),
    path("", include("cityhall.cases.urls")),
    path("", include("cityhall.documents.urls")),
    path("", include("cityhall.payments.urls")),
    path("", include("cityhall.police.urls")),
    path("", include("cityhall.reservations.urls")),
    path("", include("cityhall.permits.urls")),
    path("", include("cityhall.formbuilder.urls")),
    path("", include("cityhall.insights.urls")),
    path("", include("cityhall.ideas.urls")),
    path("", include("cityhall.opendata.urls")),
    prefix_default_language=False,
)

handler400 = "cityhall.core.views.error_400"
handler403 = "cityhall.core.views.error_403"
handler404 = "cityhall.core.views.error_404"
handler500 = "cityhall.core.views.error_500"
