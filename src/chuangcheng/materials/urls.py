"""/materials/: the archive of documents assessed alongside the field visit (申报材料)."""

from chuangcheng.materials.views import urlpatterns

app_name = "materials"
__all__ = ["app_name", "urlpatterns"]
