from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify-code"),
    path("verify/<str:code>/document/", views.document_html, name="document-html"),
    path("verify/<str:code>/document.pdf", views.document_pdf, name="document-pdf"),
]
