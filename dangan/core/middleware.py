from dangan.core.context import actor_for_user, acting_as


class AuditActorMiddleware:
    """Makes the signed-in user the actor of every audit entry the request writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR", "")
        with acting_as(actor_for_user(getattr(request, "user", None), ip)):
            return self.get_response(request)
