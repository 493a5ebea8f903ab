from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # Django's account pages but the password reset's: accounts are made by an administrator
    # and the dashboard sends no e-mail, so a reset would promise a message that never leaves.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("followups.urls")),
    path("", include("reviews.urls")),
    path("", include("insights.urls")),
    path("", include("calibration.urls")),
    path("", include("transcripts.urls")),
    path("", include("search.urls")),
    # GetBill's deliveries; a 404 while GETBILL_WEBHOOK_SECRET is unset.
    path("", include("webhooks.urls")),
]

# The fake GetBill exists only in sandbox mode: with credentials configured, its routes are not
# merely protected, they are absent.
if settings.GETBILL_SANDBOX:
    urlpatterns.append(path("sandbox/", include("sandbox.urls")))

# A database or cache outage is a 503 page rather than a 500 (dashboard.outage).
handler500 = "dashboard.outage.server_error"
