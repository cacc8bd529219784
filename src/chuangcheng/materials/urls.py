"""/materials/: the archive of documents assessed alongside the field visit (申报材料)."""

app_name = "materials"
urlpatterns: list = []
