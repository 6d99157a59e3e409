"""/api/v1/ on a node."""

from rest_framework.routers import SimpleRouter

from .spaces import BookingViewSet
from .views import MATCHING_VIEWSETS, VIEWSETS

router = SimpleRouter()
for prefix, viewset in VIEWSETS.items():
    router.register(prefix, viewset, basename=prefix.rstrip("s"))
for prefix, (viewset, basename) in MATCHING_VIEWSETS.items():
    router.register(prefix, viewset, basename=basename)
router.register("bookings", BookingViewSet, basename="booking")

urlpatterns = router.urls
