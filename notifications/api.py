"""``/api/v1/notifications``: the signed-in person's own in-app notifications.

Every endpoint reads from the actor's own rows (``services.inbox``): someone else's
notification, like a missing one, is 404 ``not_found``."""

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from accounts.roles import can
from core.api import ERRORS
from core.errors import Forbidden, NotFound
from core.pagination import CURSOR_MAX_LENGTH, cursor_json_schema

from . import selectors, services

router = Router(tags=["notifications"])
MAX_ID = 2**62


class NotificationOut(BaseModel):
    id: int
    kind: str = Field(description="The sender's kind of message, e.g. `acknowledgement`; empty for others.")
    subject: str
    body: str
    order_id: int | None
    link: str = Field(description="Where the recipient reads the object (a path of this site), or empty.")
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: Annotated[str, Field(json_schema_extra=cursor_json_schema())] | None


class UnreadOut(BaseModel):
    unread: int


class ReadAllOut(BaseModel):
    marked: int


class NotificationListParams(Schema):
    unread: bool = Field(default=False, description="Only the unread ones.")
    cursor: Annotated[str, Field(max_length=CURSOR_MAX_LENGTH, json_schema_extra=cursor_json_schema())] = Field(
        default="", description="The previous page's `next_cursor`; 422 `bad_cursor` when it is not one."
    )
    limit: int = Field(default=25, ge=1, le=100)


def _allowed(request) -> None:
    if not can(request.user, "notifications.inbox"):
        raise Forbidden()


def _out(n) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "subject": n.subject,
        "body": n.body,
        "order_id": n.order_id,
        "link": n.link,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get("/notifications", response={200: NotificationPage, **ERRORS}, summary="List my notifications")
def list_notifications(request, params: Query[NotificationListParams]):
    """The caller's in-app notifications, newest first (keyset pages)."""
    _allowed(request)
    rows, next_cursor = selectors.inbox_page(
        request.user, cursor=params.cursor or None, size=params.limit, unread=params.unread
    )
    return {"items": [_out(n) for n in rows], "next_cursor": next_cursor}


@router.get("/notifications/unread-count", response={200: UnreadOut, **ERRORS}, summary="Count my unread notifications")
def unread_count(request):
    _allowed(request)
    return {"unread": selectors.unread_count(request.user)}


@router.post("/notifications/read-all", response={200: ReadAllOut, **ERRORS}, summary="Mark all my notifications read")
def read_all(request):
    _allowed(request)
    return {"marked": services.notifications_mark_all_read(actor=request.user)}


@router.post(
    "/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS}, summary="Mark one read"
)
def read_one(request, notification_id: int):
    """404 for a notification that is not the caller's."""
    _allowed(request)
    if not 0 < notification_id < MAX_ID:
        raise NotFound(_("Notification not found."))
    return _out(services.notification_mark_read(actor=request.user, notification_id=notification_id))
