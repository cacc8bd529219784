from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    from chuangcheng.notify.queries import unread_count
    from chuangcheng.web.nav import menu_for

    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "nav_items": menu_for(user) if signed_in else [],
        "unread_count": unread_count(user) if signed_in else 0,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "map_crs": settings.MAP_TILE_CRS,
    }
