"""/problems/: the pages of problem lists from above."""

from typing import Any

app_name = "problems"
urlpatterns: list[Any] = []
