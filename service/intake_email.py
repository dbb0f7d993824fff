"""Service requests by email: read a message, find the customer and the unit, file the request.

``parse_message`` turns the raw bytes of one email (an ``.eml`` file or a message
fetched over IMAP) into what intake needs: the sender, the subject and text (the plain
part, or the HTML part reduced to text; any charset, GB2312/GBK read as GB18030, which
contains both; RFC 2047 encoded headers), serial numbers mentioned ("SN: …", "S/N …",
"序列号：…"), a mobile number, and the attachments.

``email_request_create`` files it through ``services.request_create`` with channel
"email", acting as the service account "email-intake" (an agent):

- the sender is matched by email address to a customer (``Customer.email``, then a
  contact's email); an unknown sender becomes a new customer (``customer_create``);
- a serial number is used only when it is registered to that customer; otherwise the
  request is filed without a unit, the mail text keeps the number and a note says so;
- attachments that are not real PDF or image files (or too big) are skipped with a
  warning; the others are stored through ``core.uploads`` by ``request_create``;
- the Message-ID (a hash of the message when it has none) is remembered as an
  ``IdempotencyKey`` in the same transaction as the order, so reading the same mail
  again files nothing.
"""

import email
import email.policy
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from core.errors import ValidationFailed
from core.models import IdempotencyKey
from core.uploads import checked_upload
from customers.models import Contact, Customer
from customers.services import customer_create
from products.models import Unit

from .choices import Channel
from .models import WorkOrder
from .services import request_create, work_order_note

INTAKE_USERNAME = "email-intake"
SCOPE = "email"
MAX_TEXT = 5000
SERIAL_RE = re.compile(
    r"(?:(?<![A-Za-z0-9])S\s*/\s*N\b|(?<![A-Za-z0-9])SN\b|\bserial(?:\s+(?:no\.?|number))?|序列号|机身编号|机身号)"
    r"\s*[:：#]?\s*([A-Za-z0-9][A-Za-z0-9_/-]{2,59})",
    re.IGNORECASE,
)
MOBILE_RE = re.compile(r"(?<![\d+])(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")  # 13912345678, 139 1234 5678
# Chinese mail often says GB2312 but uses characters of its supersets GBK / GB18030.
CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    sender_email: str
    sender_name: str
    subject: str
    text: str
    serials: list[str] = field(default_factory=list)
    mobile: str = ""
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.message_id


@dataclass
class IngestResult:
    order: WorkOrder
    duplicate: bool = False
    warnings: list[str] = field(default_factory=list)


# --- parsing ---------------------------------------------------------------------------------


class _HtmlText(HTMLParser):
    BLOCKS = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "tr",
            "table",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "pre",
            "section",
            "article",
            "header",
            "footer",
            "ul",
            "ol",
            "hr",
        }
    )
    HIDDEN = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    """Trim each line, collapse runs of spaces and of blank lines."""
    lines = [re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _decoded_text(part) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "utf-8").lower()
    charset = CHARSET_ALIASES.get(charset, charset)
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return payload.decode("utf-8", errors="replace")


def _header(msg, name: str) -> str:
    try:
        return str(msg.get(name, "") or "").strip()
    except (ValueError, TypeError, IndexError):  # a malformed header the policy cannot decode
        raw = msg.get_all(name, failobj=[""])
        return str(raw[0]).strip() if raw else ""


def _body(msg) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _decoded_text(part)
    return html_to_text(text) if part.get_content_type() == "text/html" else _tidy(text)


def _attachments(msg, body) -> list[Attachment]:
    found = []
    for part in msg.walk():
        if part.is_multipart() or part is body:
            continue
        name = part.get_filename()
        if part.get_content_disposition() == "attachment" or (name and part.get_content_maintype() != "text"):
            found.append(
                Attachment(
                    name=(name or "attachment")[:200],
                    content_type=part.get_content_type(),
                    data=part.get_payload(decode=True) or b"",
                )
            )
    return found


def parse_message(raw: bytes) -> ParsedMail:
    """Read one email (RFC 5322 bytes). Raises ``ValidationFailed`` when it has no sender address."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    name, address = email.utils.parseaddr(_header(msg, "From"))
    address = address.strip().lower()
    if "@" not in address:
        raise ValidationFailed(_("The email has no sender address."), code="no_sender")
    subject = _header(msg, "Subject")
    body_part = msg.get_body(preferencelist=("plain", "html"))
    body = _body(msg)
    message_id = _header(msg, "Message-ID")
    if not message_id or len(message_id) > 200:
        message_id = "sha256:" + hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()
    searched = f"{subject}\n{body}"
    serials = []
    for match in SERIAL_RE.finditer(searched):
        serial = match.group(1).rstrip("/-_")
        if any(c.isdigit() for c in serial) and serial not in serials:
            serials.append(serial)
    mobile = MOBILE_RE.search(searched)
    return ParsedMail(
        message_id=message_id,
        sender_email=address[:254],
        sender_name=name.strip(),
        subject=subject,
        text=body,
        serials=serials,
        mobile="".join(mobile.groups()) if mobile else "",
        attachments=_attachments(msg, body_part),
    )


# --- filing ----------------------------------------------------------------------------------


def intake_user() -> User:
    """The service account that files emailed requests (an agent that cannot log in)."""
    user = User.objects.filter(username=INTAKE_USERNAME).first()
    if user is None:
        user = User(username=INTAKE_USERNAME, role=Role.AGENT, first_name="Email intake", is_active=True)
        user.set_unusable_password()
        user.save()
    return user


def _sender_customer(address: str) -> Customer | None:
    customer = Customer.objects.filter(email__iexact=address).order_by("id").first()
    if customer is None:
        contact = Contact.objects.filter(email__iexact=address).select_related("customer").order_by("id").first()
        customer = contact.customer if contact else None
    return customer


def _checked_attachments(mail: ParsedMail) -> tuple[list[ContentFile], list[str]]:
    """The attachments ``core.uploads`` accepts, and a warning for each one it refuses."""
    kept, warnings = [], []
    for item in mail.attachments:
        try:
            checked_upload(ContentFile(item.data, name=item.name), field="attachments")
        except ValidationFailed as exc:
            warnings.append(_("Attachment “%(name)s” skipped: %(reason)s") % {"name": item.name, "reason": exc.message})
            continue
        kept.append(ContentFile(item.data, name=item.name))
    return kept, warnings


def email_request_create(*, raw: bytes, actor: User | None = None) -> IngestResult:
    """File one email as a service request (or find the order it already became)."""
    mail = parse_message(raw)
    actor = actor or intake_user()
    done = IdempotencyKey.objects.filter(user=actor, scope=SCOPE, key=mail.key).first()
    if done is not None:
        return _duplicate(done)
    attachments, warnings = _checked_attachments(mail)
    text = "\n\n".join(p for p in (mail.subject, mail.text) if p) or _("(The email has no text.)")
    try:
        with transaction.atomic():
            customer = _sender_customer(mail.sender_email) or customer_create(
                actor=actor,
                name=(mail.sender_name or mail.sender_email.split("@")[0])[:120],
                phone=mail.mobile,
                email=mail.sender_email,
            )
            units = {u.serial: u for u in Unit.objects.filter(serial__in=mail.serials, owner=customer)}
            serial = next((s for s in mail.serials if s in units), "")
            order = request_create(
                actor=actor,
                customer_id=customer.pk,
                channel=Channel.EMAIL,
                serial=serial,
                fault_description=text[:MAX_TEXT],
                contact_name=mail.sender_name or customer.name,
                contact_phone=mail.mobile,
                attachments=attachments,
            )
            unmatched = [s for s in mail.serials if s != serial]
            if unmatched and not serial:
                work_order_note(
                    order_id=order.pk,
                    actor=actor,
                    note=_(
                        "Serial number %(serials)s in the email is not registered to this customer: filed without a unit."
                    )
                    % {"serials": ", ".join(unmatched)},
                )
            IdempotencyKey.objects.create(
                user=actor,
                scope=SCOPE,
                key=mail.key,
                request_hash=hashlib.sha256(raw).hexdigest(),
                status_code=201,
                response={"order": order.pk, "number": order.number},
            )
    except IntegrityError:  # the same mail filed at the same moment by another run
        done = IdempotencyKey.objects.filter(user=actor, scope=SCOPE, key=mail.key).first()
        if done is None:
            raise
        return _duplicate(done)
    return IngestResult(order=order, warnings=warnings)


def _duplicate(done: IdempotencyKey) -> IngestResult:
    return IngestResult(order=WorkOrder.objects.get(pk=done.response["order"]), duplicate=True)
