"""/hotline/: the pages of 12345 hotline work orders."""

from typing import Any

app_name = "hotline"
urlpatterns: list[Any] = []
