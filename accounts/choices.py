from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Customer-service agent")
    TECH_SUPPORT = "tech_support", _("Technical-support specialist")
    ENGINEER = "engineer", _("Field engineer")
    COMPLAINT_HANDLER = "complaint_handler", _("Complaint handler")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    FINANCE = "finance", _("Finance auditor")
    QUALITY = "quality", _("Trainer / quality specialist")
    ANALYST = "analyst", _("Data analyst")
    ADMIN = "admin", _("System administrator")


class DepartmentKind(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    TECH_SUPPORT = "tech_support", _("Technical support")
    PROBLEM_HANDLING = "problem_handling", _("Problem-handling centre")
    CRM = "crm", _("CRM")
    DATA_ANALYSIS = "data_analysis", _("Data analysis")
    TRAINING_QUALITY = "training_quality", _("Training & quality")
    PRODUCTION_QUALITY = "production_quality", _("Production / quality")
    FINANCE = "finance", _("Finance")
    FIELD_SERVICE = "field_service", _("Field service")
