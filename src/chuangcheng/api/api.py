from ninja import NinjaAPI

api = NinjaAPI(title="Chuangcheng API", version="1", urls_namespace="api")
