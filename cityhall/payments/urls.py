from django.urls import path

from . import views_public, views_sandbox, views_staff

app_name = "payments"

urlpatterns = [
    path("pay/sandbox/<str:session_id>/", views_sandbox.checkout_page, name="sandbox-checkout"),
    path("pay/<str:token>/", views_public.invoice_page, name="invoice"),
    path("pay/<str:token>/checkout/", views_public.checkout, name="checkout"),
    path("pay/<str:token>/return/<uuid:payment>/", views_public.return_page, name="return"),
    path("pay/<str:token>/receipt/<uuid:payment>/", views_public.receipt, name="receipt"),
    path("staff/payments/", views_staff.invoices, name="staff-invoices"),
    path("staff/payments/payments/", views_staff.payments, name="staff-payments"),
    path("staff/payments/flagged/", views_staff.flagged, name="staff-flagged"),
    path(
        "staff/payments/reconciliation/",
        views_staff.reconciliation,
        name="staff-reconciliation",
    ),
    path(
        "staff/payments/reconciliation.csv",
        views_staff.reconciliation_csv,
        name="staff-reconciliation-csv",
    ),
    path("staff/payments/invoices/<str:number>/", views_staff.invoice_detail, name="staff-invoice"),
    path("staff/payments/invoices/<str:number>/waive/", views_staff.waive, name="staff-waive"),
    path("staff/payments/invoices/<str:number>/void/", views_staff.void, name="staff-void"),
    path(
        "staff/payments/payments/<int:payment_id>/",
        views_staff.payment_detail,
        name="staff-payment",
    ),
    path(
        "staff/payments/payments/<int:payment_id>/refund/",
        views_staff.refund,
        name="staff-refund",
    ),
    path(
        "staff/payments/payments/<int:payment_id>/resolve/",
        views_staff.resolve,
        name="staff-resolve",
    ),
]
