"""/assessment/: mock assessment rounds (模拟测评)."""

app_name = "assessment"
urlpatterns: list = []
