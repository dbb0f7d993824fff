from ninja.security import django_auth

from accounts.api import TokenAuth
from analytics.api import router as analytics_router
from complaints.api import router as complaints_router
from core.api import build_api
from feedback.api import router as surveys_router
from improvement.api import router as improvement_router
from notifications.api import router as notifications_router
from products.api import router as units_router
from service.api import router as orders_router
from service.api_dispatch import router as dispatch_router
from service.api_replacement import router as replacement_router
from service.api_shipping import router as shipping_router
from service.api_warranty import router as entitlements_router
from sla.api import router as sla_router

api = build_api(auth=[TokenAuth(), django_auth])
api.add_router("", orders_router)
api.add_router("", shipping_router)
api.add_router("", replacement_router)
api.add_router("", dispatch_router)
api.add_router("", units_router)
api.add_router("", entitlements_router)
api.add_router("", sla_router)
api.add_router("", analytics_router)
api.add_router("", notifications_router)
api.add_router("", complaints_router)
api.add_router("", improvement_router)
api.add_router("", surveys_router)
