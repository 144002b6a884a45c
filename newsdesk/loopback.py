"""Development servers listen on this machine only.

A development process runs with DEBUG on and a known secret key (newsdesk/settings.py):
on any other address the whole network could read its tracebacks and forge its sessions.
The runserver command and gunicorn.conf.py refuse such an address in development mode.
"""

import ipaddress

LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost", "ip6-loopback"})


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address, IPv6 with or without brackets) is this
    machine's loopback. The unspecified address (0.0.0.0, ::) is every interface: not."""
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(address: str) -> str:
    return (
        f"Development mode (DJANGO_ENV=development) listens on loopback only, not on "
        f"{address}: it runs with DEBUG on and a known secret key. Use 127.0.0.1, ::1 or "
        "localhost, or run in production mode (DJANGO_ENV=production, with SECRET_KEY, "
        "ALLOWED_HOSTS and DATABASE_URL) to serve other machines."
    )
