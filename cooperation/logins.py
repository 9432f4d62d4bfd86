"""Admin login throttling with django-axes: who the client is, and the two limits.

Failures are counted over the last AXES_COOLOFF_TIME, per client address as `client_address`
finds it behind the reverse proxies:
- per account and address (AXES_FAILURE_LIMIT): someone guessing an editor's password is
  locked out of that account from their own address; the editor, from any other address,
  still logs in. No lockout is keyed on the account alone, which anyone could impose.
- per address, whatever the accounts (CATALOGUE_ADDRESS_FAILURE_LIMIT, higher): one address
  trying a few passwords on many accounts (password spraying) is locked out of all of them.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def client_address(request) -> str:
    """The address of the client (AXES_CLIENT_IP_CALLABLE).

    With no trusted proxy (DJANGO_TRUSTED_PROXIES=0) it is REMOTE_ADDR, and X-Forwarded-For is
    ignored: any client can write that header. Behind N proxies, each appends the address it
    was connected from to X-Forwarded-For, so the Nth entry from the right is the address the
    outermost proxy saw: the client. Entries further left are whatever the client sent and are
    never read. A header too short or not an address there means the request did not come
    through the proxies as configured: REMOTE_ADDR is then the only address known for sure.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if not proxies:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies].strip()))
    except ValueError:
        return remote


class LoginThrottleHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit per lockout parameter (AXES_HANDLER).

    Axes compares one number, the most failures under any of AXES_LOCKOUT_PARAMETERS, with
    one limit, AXES_FAILURE_LIMIT. Here each parameter has its own limit, and the number
    given to axes is the failures counted towards AXES_FAILURE_LIMIT by whichever limit is
    nearest: it reaches AXES_FAILURE_LIMIT exactly when one of the counts reaches its limit.
    """

    def limits(self) -> list[int]:
        """One a lockout parameter, in the order of AXES_LOCKOUT_PARAMETERS."""
        return [settings.AXES_FAILURE_LIMIT, settings.CATALOGUE_ADDRESS_FAILURE_LIMIT]

    def get_failures(self, request, credentials=None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        return max(
            count + settings.AXES_FAILURE_LIMIT - limit
            for count, limit in zip(counts, self.limits(), strict=True)
        )

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login, forget that account's failures from that address only.

        Axes would forget every failure under every lockout parameter, the whole address's
        included: whoever holds one account could then spray the others without limit.
        """
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count
