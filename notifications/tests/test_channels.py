"""Group-bot webhooks (WeCom, DingTalk, Feishu) against a local HTTP server thread."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from notifications import channels, services
from notifications.models import Notification
from notifications.services import notify
from tests.factories import UserFactory


class Recorder(BaseHTTPRequestHandler):
    """Records every POST; answers what the test put in ``server.answers[path]``."""

    def do_POST(self):  # noqa: N802 (http.server API)
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        path = urllib.parse.urlsplit(self.path).path
        self.server.requests.append(
            {
                "path": path,
                "query": urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query),
                "content_type": self.headers.get("Content-Type"),
                "json": json.loads(body.decode()),
            }
        )
        status, answer = self.server.answers.get(path, (200, {"errcode": 0, "errmsg": "ok"}))
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        return None


@pytest.fixture
def bot_server():
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    server.requests, server.answers = [], {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def bots(settings, bot_server):
    settings.NOTIFY_CHANNELS = ["inapp", "wecom", "dingtalk", "feishu"]
    settings.NOTIFY_WEBHOOKS = {
        "wecom": {"url": f"{bot_server.url}/cgi-bin/webhook/send?key=k1"},
        "dingtalk": {"url": f"{bot_server.url}/robot/send?access_token=t1", "secret": "SECdemo"},
        "feishu": {"url": f"{bot_server.url}/open-apis/bot/v2/hook/h1", "secret": "fs-secret"},
    }
    settings.NOTIFY_BASE_URL = "https://service.example.com"
    bot_server.answers["/open-apis/bot/v2/hook/h1"] = (200, {"code": 0, "msg": "success"})
    return bot_server


def _send_all(rows):
    return services.deliver([r.pk for r in rows if r.sent_at is None])


def test_each_bot_gets_its_vendors_message_shape(db, bots):
    # given a message to two staff members about an order
    users = [UserFactory(role="manager"), UserFactory(role="engineer")]

    # when
    rows = notify(users=users, subject="SLA breached: WO00000007", body="Escalated to the managers.")
    result = _send_all(rows)

    # then one post per bot (not per person), each in its vendor's shape, all marked sent
    assert result == {"sent": 3, "failed": 0}
    assert Notification.objects.filter(recipient=None).count() == 3
    posts = {r["path"]: r for r in bots.requests}
    text = "SLA breached: WO00000007\nEscalated to the managers."
    assert posts["/cgi-bin/webhook/send"]["json"] == {"msgtype": "text", "text": {"content": text}}
    assert posts["/cgi-bin/webhook/send"]["query"] == {"key": ["k1"]}
    assert posts["/robot/send"]["json"] == {"msgtype": "text", "text": {"content": text}}
    feishu = posts["/open-apis/bot/v2/hook/h1"]["json"]
    assert (feishu["msg_type"], feishu["content"]) == ("text", {"text": text})
    assert all(r["content_type"].startswith("application/json") for r in bots.requests)
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_signed_bots_carry_a_valid_signature(db, bots):
    # when
    _send_all(notify(users=[UserFactory(role="manager")], subject="s", body="b"))

    # then DingTalk: timestamp and sign in the URL; Feishu: in the body
    posts = {r["path"]: r for r in bots.requests}
    query = posts["/robot/send"]["query"]
    stamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(b"SECdemo", f"{stamp}\nSECdemo".encode(), hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected]
    body = posts["/open-apis/bot/v2/hook/h1"]["json"]
    expected = base64.b64encode(hmac.new(f"{body['timestamp']}\nfs-secret".encode(), b"", hashlib.sha256).digest())
    assert body["sign"] == expected.decode()


def test_links_are_absolute_in_bot_messages(db, bots, monkeypatch):
    monkeypatch.setattr(services, "order_link", lambda order_id, user: f"/console/orders/{order_id}/")
    _send_all(notify(users=[UserFactory(role="manager")], subject="s", body="b", order=type("O", (), {"pk": 7})()))
    wecom = next(r for r in bots.requests if r["path"] == "/cgi-bin/webhook/send")
    assert wecom["json"]["text"]["content"].endswith("\nhttps://service.example.com/console/orders/7/")


@pytest.mark.parametrize(
    "path, answer",
    [
        ("/cgi-bin/webhook/send", (200, {"errcode": 93000, "errmsg": "invalid webhook url"})),
        ("/cgi-bin/webhook/send", (500, {"error": "down"})),
    ],
    ids=["vendor-error-code", "http-500"],
)
def test_a_bot_error_is_recorded_and_the_row_stays_pending(db, bots, path, answer):
    # given
    bots.answers[path] = answer

    # when
    result = _send_all(notify(users=[UserFactory(role="manager")], subject="s", body="b"))

    # then
    row = Notification.objects.get(channel="wecom")
    assert result == {"sent": 2, "failed": 1}
    assert row.sent_at is None and row.attempts == 1
    assert ("93000" in row.error) if answer[0] == 200 else ("HTTP 500" in row.error)


def test_feishu_error_code_is_recorded(db, bots):
    bots.answers["/open-apis/bot/v2/hook/h1"] = (200, {"code": 19021, "msg": "sign match fail"})
    _send_all(notify(users=[UserFactory(role="manager")], subject="s", body="b"))
    assert "19021" in Notification.objects.get(channel="feishu").error


def test_customers_messages_never_go_to_staff_groups(db, bots):
    rows = notify(users=[UserFactory(role="customer")], subject="s", body="b")
    assert [r.channel for r in rows] == ["inapp"]
    assert bots.requests == []


def test_a_bot_without_url_is_not_used(db, settings):
    settings.NOTIFY_CHANNELS = ["inapp", "wecom"]
    settings.NOTIFY_WEBHOOKS = {"wecom": {"url": ""}}
    rows = notify(users=[UserFactory(role="manager")], subject="s", body="b")
    assert [r.channel for r in rows] == ["inapp"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x"], ids=["file", "ftp"])
def test_only_http_urls_are_posted_to(url):
    with pytest.raises(channels.DeliveryError):
        channels.post_json(url, {"a": 1})


def test_an_unreachable_bot_is_an_error_not_a_crash(settings):
    settings.NOTIFY_WEBHOOK_TIMEOUT = 1
    with pytest.raises(channels.DeliveryError, match="unreachable"):
        channels.post_json("http://127.0.0.1:9/", {"a": 1})
