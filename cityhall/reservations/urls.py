from django.urls import path

from . import views_booking, views_counter, views_mine, views_public, views_staff

app_name = "reservations"

urlpatterns = [
    path("reservations/", views_public.start, name="start"),
    path("reservations/facilities/<int:pk>/", views_public.facility_page, name="facility"),
    path(
        "reservations/facilities/<int:pk>/photos/<int:photo_id>/",
        views_public.photo,
        name="photo",
    ),
    path("reservations/units/<int:pk>/", views_public.unit_page, name="unit"),
    path("reservations/units/<int:pk>/busy.ics", views_public.unit_feed, name="unit-feed"),
    path("reservations/units/<int:pk>/book/", views_booking.book, name="book"),
    path("reservations/units/<int:pk>/every-week/", views_booking.series, name="series"),
    path("reservations/sign-in/", views_booking.sign_in, name="sign-in"),
    path("reservations/my-bookings/", views_mine.mine, name="mine"),
    path("reservations/bookings/<str:reference>/", views_mine.booking_page, name="booking"),
    path("reservations/bookings/<str:reference>/confirm/", views_mine.confirm, name="confirm"),
    path("reservations/bookings/<str:reference>/cancel/", views_mine.cancel, name="cancel"),
    path(
        "reservations/bookings/<str:reference>/dates/<int:occurrence_id>/cancel/",
        views_mine.cancel,
        name="cancel-date",
    ),
    path("reservations/bookings/<str:reference>/change/", views_mine.change, name="change"),
    path(
        "reservations/bookings/<str:reference>/calendar.ics",
        views_mine.booking_ics,
        name="booking-ics",
    ),
    path(
        "reservations/bookings/<str:reference>/confirmation.pdf",
        views_mine.booking_pdf,
        name="booking-pdf",
    ),
    path("reservations/waitlist/<int:pk>/leave/", views_mine.leave_waitlist, name="leave-waitlist"),
    path("staff/reservations/", views_staff.today, name="staff-today"),
    path(
        "staff/reservations/units/<int:pk>/book-for-caller/",
        views_counter.book_for_caller,
        name="staff-book-for-caller",
    ),
    path("staff/reservations/approvals/", views_staff.approvals, name="staff-approvals"),
    path("staff/reservations/utilization/", views_staff.utilization, name="staff-utilization"),
    path("staff/reservations/blocks/", views_staff.blocks, name="staff-blocks"),
    path("staff/reservations/blocks/<int:pk>/remove/", views_staff.unblock, name="staff-unblock"),
    path(
        "staff/reservations/bookings/<str:reference>/",
        views_staff.booking_page,
        name="staff-booking",
    ),
    path(
        "staff/reservations/bookings/<str:reference>/approve/",
        views_staff.approve,
        name="staff-approve",
    ),
    path("staff/reservations/bookings/<str:reference>/deny/", views_staff.deny, name="staff-deny"),
    path(
        "staff/reservations/bookings/<str:reference>/cancel/",
        views_staff.cancel,
        name="staff-cancel",
    ),
    path(
        "staff/reservations/bookings/<str:reference>/dates/<int:occurrence_id>/cancel/",
        views_staff.cancel,
        name="staff-cancel-date",
    ),
    path("staff/reservations/bookings/<str:reference>/move/", views_staff.move, name="staff-move"),
    path(
        "staff/reservations/bookings/<str:reference>/keep-deposit/",
        views_staff.keep_deposit,
        name="staff-keep-deposit",
    ),
]
