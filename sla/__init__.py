"""SLA engine.

The pure business-time maths lives in :mod:`sla.businesstime` (no Django, no
database); China holiday data comes from :mod:`sla.calendar_data`.
"""
