"""Email intake: real .eml files (service/tests/eml/) and an IMAP mailbox read by the real imaplib."""

import io
import socket
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.choices import Role
from core.models import AuditLog, IdempotencyKey
from customers.models import Contact, Customer
from service.intake_email import INTAKE_USERNAME, email_request_create, html_to_text, parse_message
from service.models import OrderDocument, WorkOrder, WorkOrderEvent
from tests.factories import CustomerFactory, UnitFactory

EML = Path(__file__).parent / "eml"

pytestmark = pytest.mark.django_db


def raw(name: str) -> bytes:
    return (EML / name).read_bytes()


def ingest(*names: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest_email", *[str(EML / n) for n in names], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def senders(db):
    """The customers who wrote the fixture mails, each owning the unit the mail names."""
    emily = CustomerFactory(name="Emily Carter", email="emily.carter@example.com")
    wang = CustomerFactory(name="王伟", email="office@example.cn")
    Contact.objects.create(customer=wang, name="王伟", phone="13800138123", email="WangWei@example.cn")
    tom = CustomerFactory(name="Tom Baker", email="tom.baker@example.net")
    zhao = CustomerFactory(name="Zhao Min", email="zhaomin@example.org")
    units = {
        "CAMTEST0001": UnitFactory(serial="CAMTEST0001", owner=emily),
        "AC35TEST0002": UnitFactory(serial="AC35TEST0002", owner=wang),
        "RVTEST0003": UnitFactory(serial="RVTEST0003", owner=tom),
        "LOCKTEST0004": UnitFactory(serial="LOCKTEST0004", owner=zhao),
    }
    return {"emily": emily, "wang": wang, "tom": tom, "zhao": zhao, "units": units}


def test_a_plain_mail_with_the_serial_of_a_unit_of_the_sender(senders):
    # when the plain English mail is ingested
    out, _err = ingest("plain_sn.eml")

    # then one email request is filed for the sender, on the unit, by the intake account
    order = WorkOrder.objects.get()
    assert (order.channel, order.customer, order.unit, order.serial) == (
        "email",
        senders["emily"],
        senders["units"]["CAMTEST0001"],
        "CAMTEST0001",
    )
    assert order.fault_description.startswith("Camera keeps disconnecting\n\nHello,")
    assert "drops off the Wi-Fi every night" in order.fault_description
    assert order.contact_phone == "13912345678" and order.contact_name == "Emily Carter"
    assert (order.created_by.username, order.created_by.role) == (INTAKE_USERNAME, Role.AGENT)
    assert not order.created_by.has_usable_password()
    assert list(order.events.values_list("action", "to_status")) == [("create", "new")]
    assert IdempotencyKey.objects.filter(scope="email", key="<plain-sn-0001@mail.example.com>").exists()
    assert f"{order.number} for Emily Carter, unit CAMTEST0001" in out
    assert "1 created, 0 already filed, 0 failed" in out


def test_a_chinese_gbk_mail_is_read_and_matched_through_a_contact(senders):
    # when the GBK mail with a GB2312 encoded subject and 序列号 is ingested
    ingest("gbk_serial.eml")

    # then the text is readable Chinese and the sender is found through the contact's email
    order = WorkOrder.objects.get()
    assert order.customer == senders["wang"] and order.serial == "AC35TEST0002"
    assert order.fault_description.startswith("空调不制冷，请尽快上门维修\n\n您好：")
    assert "序列号：AC35TEST0002" in order.fault_description
    assert order.contact_name == "王伟" and order.contact_phone == "13800138123"


def test_an_html_only_mail_becomes_plain_text(senders):
    # when the HTML-only mail is ingested
    ingest("html_only.eml")

    # then the fault is the visible text, without markup, styles or scripts
    order = WorkOrder.objects.get()
    assert order.unit == senders["units"]["RVTEST0003"]
    assert "The robot vacuum cannot find its dock & stops in the hallway." in order.fault_description
    for hidden in ("<", "color: red", "alert", "ignored"):
        assert hidden not in order.fault_description


def test_real_attachments_are_stored_and_a_fake_pdf_is_skipped(senders):
    # when the mail with a PDF, a PNG and an executable named .pdf is ingested
    _out, err = ingest("attachments.eml")

    # then the PDF and the image are kept with the order, the fake is skipped with a warning
    order = WorkOrder.objects.get()
    docs = OrderDocument.objects.filter(order=order).select_related("document")
    assert sorted((d.kind, d.document.original_name, d.document.content_type) for d in docs) == [
        ("attachment", "invoice.pdf", "application/pdf"),
        ("attachment", "lock-photo.png", "image/png"),
    ]
    assert "receipt.pdf" in err and "skipped" in err
    assert order.serial == "LOCKTEST0004"


def test_an_unknown_sender_becomes_a_customer_and_an_unknown_serial_stays_in_the_text(senders):
    # when a mail from an unknown address with an unknown serial is ingested
    ingest("unknown_sender.eml")

    # then a customer is created from the display name, address and mobile number
    customer = Customer.objects.get(email="lilei@example.org")
    assert (customer.name, customer.phone) == ("Li Lei", "13700001111")
    assert AuditLog.objects.filter(
        object_type="customers.customer", object_id=str(customer.pk), action="create"
    ).exists()
    # and the request is filed without a unit, the serial kept in the text and noted
    order = WorkOrder.objects.get()
    assert (order.customer, order.unit, order.serial) == (customer, None, "")
    assert "Serial number: ZZ99UNKNOWN" in order.fault_description
    note = order.events.get(action="note")
    assert "ZZ99UNKNOWN" in note.note


def test_a_serial_registered_to_someone_else_is_not_attached(senders):
    # given the camera now belongs to another customer
    unit = senders["units"]["CAMTEST0001"]
    unit.owner = CustomerFactory()
    unit.save()

    # when Emily's mail is ingested
    ingest("plain_sn.eml")

    # then her request is filed without the unit
    order = WorkOrder.objects.get()
    assert (order.customer, order.unit, order.serial) == (senders["emily"], None, "")
    assert order.events.filter(action="note", note__contains="CAMTEST0001").exists()


def test_ingesting_the_same_mail_again_files_nothing(senders):
    # given a mail already ingested
    ingest("plain_sn.eml")
    first = WorkOrder.objects.get()

    # when it is ingested again (twice in one run)
    out, _err = ingest("plain_sn.eml", "plain_sn.eml")

    # then there is still one order, reported as filed already
    assert WorkOrder.objects.get() == first
    assert WorkOrderEvent.objects.count() == 1
    assert out.count(f"already filed as {first.number}") == 2
    assert "0 created, 2 already filed, 0 failed" in out


def test_a_mail_without_message_id_is_recognised_by_its_content(senders):
    # given the plain mail without its Message-ID header
    message = b"".join(
        line for line in raw("plain_sn.eml").splitlines(keepends=True) if not line.startswith(b"Message-ID")
    )

    # when it is filed twice
    first = email_request_create(raw=message)
    second = email_request_create(raw=message)

    # then the second time finds the first order
    assert second.duplicate and second.order == first.order
    assert WorkOrder.objects.count() == 1


def test_one_bad_mail_does_not_stop_the_others(senders, tmp_path):
    # given a message without a sender, a missing file and a good mail
    broken = tmp_path / "broken.eml"
    broken.write_bytes(b"Subject: no sender here\r\n\r\nhello\r\n")

    # when they are ingested together
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "ingest_email",
            str(broken),
            str(tmp_path / "missing.eml"),
            str(EML / "plain_sn.eml"),
            stdout=out,
            stderr=err,
        )

    # then the good one is filed and the summary counts the failures
    assert WorkOrder.objects.get().customer == senders["emily"]
    assert "no sender address" in err.getvalue() and "missing.eml: failed" in err.getvalue()
    assert "1 created, 0 already filed, 2 failed" in out.getvalue()


def test_a_long_mail_is_cut_to_the_fault_description_limit(senders):
    # given a very long mail
    message = raw("plain_sn.eml").replace(b"Regards,", b"x " * 6000 + b"Regards,").replace(b"plain-sn-0001", b"long")

    # when filed, then the description stops at 5000 characters
    order = email_request_create(raw=message).order
    assert len(order.fault_description) == 5000


def test_giving_no_source_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("ingest_email", stdout=io.StringIO())


# --- parsing -------------------------------------------------------------------------------------


def mail(body: str, subject: str = "Help") -> bytes:
    return f"From: A <a@example.com>\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}".encode()


@pytest.mark.parametrize(
    ("text", "serials"),
    [
        ("SN: AB123456", ["AB123456"]),
        ("sn:ab123456", ["ab123456"]),
        ("S/N AB-1234-9", ["AB-1234-9"]),
        ("S / N: XY9999.", ["XY9999"]),
        ("序列号：AC35TEST0002", ["AC35TEST0002"]),
        ("序列号 AC35TEST0002 谢谢", ["AC35TEST0002"]),
        ("机身编号: LX3240900012", ["LX3240900012"]),
        ("Serial number: ZZ99", ["ZZ99"]),
        ("SNAKE 1234 and JSN: 5678", []),
        ("SN: unknown", []),
        ("SN: AB1234 and S/N CD5678 and SN: AB1234", ["AB1234", "CD5678"]),
    ],
    ids=[
        "sn",
        "lowercase",
        "s-slash-n",
        "spaced",
        "xuliehao-colon",
        "xuliehao-space",
        "jishen",
        "serial-number",
        "inside-words",
        "no-digit",
        "several",
    ],
)
def test_serial_numbers_are_found(text, serials):
    assert parse_message(mail(text)).serials == serials


def test_a_serial_in_the_subject_counts():
    assert parse_message(mail("hello", subject="Broken lock SN: LOCK0001")).serials == ["LOCK0001"]


def test_html_is_reduced_to_visible_text():
    html = "<style>b{}</style><p>Line&nbsp;one</p><ul><li>a</li><li>b &lt;c&gt;</li></ul><script>x()</script>"
    assert html_to_text(html) == "Line one\n\na\n\nb <c>"


def test_an_unknown_charset_falls_back_to_utf8():
    message = "From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\nhé".encode()
    assert parse_message(message).text == "hé"


# --- IMAP ------------------------------------------------------------------------------------------


class FakeImap:
    """A minimal IMAP4rev1 server on 127.0.0.1, enough for imaplib: LOGIN, SELECT, UID SEARCH UNSEEN,
    UID FETCH (BODY.PEEK[]), UID STORE +FLAGS (\\Seen), LOGOUT. Every socket has a timeout."""

    def __init__(self, messages: list[tuple[bytes, bool]], user="intake", password="s3cret pass"):
        self.messages = [{"uid": 10 + i, "raw": data, "seen": seen} for i, (data, seen) in enumerate(messages)]
        self.user, self.password = user, password
        self.commands: list[str] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(10)
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self):
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the accept() below at once
        except OSError:
            pass
        self.server.close()
        self.thread.join(timeout=10)

    def _serve(self):
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    self._session(conn)
                except OSError:
                    pass

    def _session(self, conn):
        send = conn.sendall
        send(b"* OK fake IMAP ready\r\n")
        for line in conn.makefile("rb"):
            tag, _sp, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _sp, args = rest.partition(" ")
            command = command.upper()
            self.commands.append(f"{command} {args}".strip())
            if command == "CAPABILITY":
                send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n".encode())
            elif command == "LOGIN":
                user, _sp, password = args.partition(" ")
                ok = user.strip('"') == self.user and password.strip('"') == self.password
                send(f"{tag} {'OK' if ok else 'NO'} login\r\n".encode())
            elif command == "SELECT":
                send(f"* {len(self.messages)} EXISTS\r\n{tag} OK [READ-WRITE] selected\r\n".encode())
            elif command == "UID":
                self._uid(tag, args, send)
            elif command == "LOGOUT":
                send(f"* BYE\r\n{tag} OK bye\r\n".encode())
                return
            else:
                send(f"{tag} BAD unknown\r\n".encode())

    def _uid(self, tag, args, send):
        sub, _sp, rest = args.partition(" ")
        sub = sub.upper()
        if sub == "SEARCH":
            uids = " ".join(str(m["uid"]) for m in self.messages if not m["seen"])
            send(f"* SEARCH {uids}\r\n{tag} OK search\r\n".encode())
            return
        uid = int(rest.split(" ", 1)[0])
        seq, message = next((i + 1, m) for i, m in enumerate(self.messages) if m["uid"] == uid)
        if sub == "FETCH":
            data = message["raw"]
            send(f"* {seq} FETCH (UID {uid} BODY[] {{{len(data)}}}\r\n".encode() + data + b")\r\n")
            send(f"{tag} OK fetch\r\n".encode())
        elif sub == "STORE":
            message["seen"] = True
            send(f"* {seq} FETCH (UID {uid} FLAGS (\\Seen))\r\n{tag} OK store\r\n".encode())


@pytest.fixture
def mailbox():
    servers = []

    def start(messages, **kw):
        servers.append(FakeImap(messages, **kw))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def read_mailbox(server, password="s3cret pass"):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "ingest_email",
        imap="127.0.0.1",
        port=server.port,
        ssl=False,
        user="intake",
        password=password,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_unseen_messages_are_filed_and_marked_seen(senders, mailbox):
    # given a mailbox with two unseen mails and one already seen
    server = mailbox([(raw("plain_sn.eml"), False), (raw("unknown_sender.eml"), False), (raw("html_only.eml"), True)])

    # when the mailbox is read
    out, _err = read_mailbox(server)

    # then the two unseen mails are filed and marked seen; the seen one is left alone
    assert sorted(WorkOrder.objects.values_list("customer__email", flat=True)) == [
        "emily.carter@example.com",
        "lilei@example.org",
    ]
    assert [m["seen"] for m in server.messages] == [True, True, True]
    assert "2 created, 0 already filed, 0 failed" in out
    assert all("PEEK" in c for c in server.commands if c.startswith("UID FETCH"))

    # and reading it again files nothing
    out, _err = read_mailbox(server)
    assert WorkOrder.objects.count() == 2 and "0 created" in out


def test_a_message_that_fails_stays_unseen(senders, mailbox):
    # given a mailbox with a message without sender before a good one
    server = mailbox([(b"Subject: nobody\r\n\r\nhi\r\n", False), (raw("gbk_serial.eml"), False)])

    # when the mailbox is read
    with pytest.raises(CommandError):
        read_mailbox(server)

    # then the good one is filed and seen, the bad one stays unseen for the next run
    assert WorkOrder.objects.get().customer == senders["wang"]
    assert [m["seen"] for m in server.messages] == [False, True]


def test_a_refused_login_files_nothing(senders, mailbox):
    server = mailbox([(raw("plain_sn.eml"), False)])
    with pytest.raises(CommandError, match="login"):
        read_mailbox(server, password="wrong")
    assert not WorkOrder.objects.exists()
    assert server.messages[0]["seen"] is False
