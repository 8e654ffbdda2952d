from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from participation.access import AccessDenied, MFARequired, has_mfa, must_use_mfa

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """No inline scripts, no styles or scripts from anywhere but this site."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class StaffMFAMiddleware:
    """Role holders without a second factor are sent to enrol before acting;
    ``AccessDenied`` from the access layer becomes the site's 404 page.

    The admin is closed to them outright; elsewhere ``access.check_role``
    raises ``MFARequired`` when they try to act, and this turns it into a
    redirect to the enrolment page with an explanation.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/admin/") and self._needs_enrolment(request):
            return self._to_enrolment(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, MFARequired):
            return self._to_enrolment(request)
        if isinstance(exception, AccessDenied):  # one answer for missing and forbidden
            return page_not_found(request, Http404())
        return None

    @staticmethod
    def _needs_enrolment(request: HttpRequest) -> bool:
        user = request.user
        return must_use_mfa(user) and not has_mfa(user)

    @staticmethod
    def _to_enrolment(request: HttpRequest) -> HttpResponse:
        messages.warning(
            request,
            _(
                "Your role needs two-factor authentication. Set up an authenticator app "
                "or a security key, then try again."
            ),
        )
        return HttpResponseRedirect(reverse("mfa_index"))


class RejectNulMiddleware:
    """A NUL character in the path or the query string gets a 400, before any view.

    PostgreSQL refuses NUL in text, so a ``?q=%00`` that reaches a query would be
    a server error; SQLite would quietly accept it. No real address contains one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        message = _("The address contains a character that is not allowed.")
        if request.path.startswith(("/api/", "/open-data/")):
            return JsonResponse(
                {
                    "error": {
                        "status": 400,
                        "code": "bad_request",
                        "message": message,
                        "details": [],
                    }
                },
                status=400,
            )
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class ApiMethodNotAllowedMiddleware:
    """django-ninja answers a wrong method with a bare 405: give it the API's error format."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            refused = JsonResponse(
                {
                    "error": {
                        "status": 405,
                        "code": "method_not_allowed",
                        "message": _("This address does not take this method."),
                        "details": [],
                    }
                },
                status=405,
            )
            refused["Allow"] = response.get("Allow", "")
            return refused
        return response
