from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from dangan.core.context import acting_as, actor_for_user


class AuditActorMiddleware:
    """Makes the signed-in user the actor of every audit entry the request writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR", "")
        with acting_as(actor_for_user(getattr(request, "user", None), ip)):
            return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose another language with the switch (a cookie).

    Django's own middleware follows the browser's Accept-Language, which would show English to anyone whose
    browser happens to be English; the district's working language is Chinese.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
