import os

from django.core.wsgi import get_wsgi_application

from chuangcheng.core.proxy import TrustedProxies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangcheng.settings")


def build_application() -> TrustedProxies:
    """Django behind our proxy filter: X-Forwarded-* believed from TRUSTED_PROXIES only (and
    dropped from anyone else), whichever WSGI server runs it."""
    return TrustedProxies(get_wsgi_application())


application = build_application()
