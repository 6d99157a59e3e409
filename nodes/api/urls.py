"""/api/v1/ on a node."""

from rest_framework.routers import SimpleRouter

from .views import VIEWSETS

router = SimpleRouter()
for prefix, viewset in VIEWSETS.items():
    router.register(prefix, viewset, basename=prefix.rstrip("s"))

urlpatterns = router.urls
