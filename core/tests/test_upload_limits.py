"""Resource exhaustion through uploads (issue 14): an image's size is checked from its header
before any decoding, a request body over its route's cap is refused (413) before it is read
and cut at the cap when parsed, and Django's refusals of an oversized form are the product's
413, not an HTML 400."""

import functools
import io
import struct
import subprocess
import sys
import zlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import Client, RequestFactory, override_settings
from django.test.client import encode_multipart
from django.utils.translation import gettext, override
from PIL import Image

from core.errors import ValidationFailed
from core.limits import RequestTooLarge
from core.models import Document
from core.uploads import IMAGE_KINDS, checked_bytes
from products.models import Unit
from tests.factories import CustomerFactory, ProductModelFactory, UserFactory

MB = 1024 * 1024
BOUNDARY = "uploads-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def huge_png(width: int = 12_000, height: int = 12_000) -> bytes:
    """A valid, all-black RGB PNG of ``width`` × ``height``: about 420 KB on disk, about 576 MB
    once decoded (Pillow holds RGB in 4 bytes a pixel). Written row by row, never whole."""
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)  # filter byte + pixels
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


class Body:
    """A request body that records how much of it was read: ``size`` bytes, generated as read
    (``head`` first, then filler), so a test can send gigabytes without holding them."""

    def __init__(self, size: int, head: bytes = b"", tail: bytes = b""):
        self.size, self.head, self.tail, self.read_bytes = size, head, tail, 0

    def _bytes(self, start: int, end: int) -> bytes:
        filler_end = self.size - len(self.tail)
        parts, pos = [], start
        if pos < min(end, len(self.head)):
            parts.append(self.head[pos : min(end, len(self.head))])
            pos = min(end, len(self.head))
        if pos < min(end, filler_end):
            parts.append(b"A" * (min(end, filler_end) - pos))
            pos = min(end, filler_end)
        if pos < end:
            parts.append(self.tail[pos - filler_end : end - filler_end])
        return b"".join(parts)

    def read(self, n: int = -1) -> bytes:
        start = self.read_bytes
        self.read_bytes = self.size if n is None or n < 0 else min(self.size, start + n)
        return self._bytes(start, self.read_bytes)

    def readline(self, size: int = -1) -> bytes:  # Django's LimitedStream wants one (a line of at most 64 KB)
        start = self.read_bytes
        end = min(self.size, start + (64 * 1024 if size is None or size < 0 else size))
        data = self._bytes(start, end)
        cut = data.find(b"\n")
        return self.read(len(data) if cut < 0 else cut + 1)


def multipart_body(size: int, field: str = "proof") -> Body:
    """A multipart body of ``size`` bytes carrying one file ``field`` full of filler."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="big.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return Body(size, head, tail)


# --- 1. an image's size comes from its header, before decoding ------------------------------


def test_the_huge_png_is_small_on_disk_and_really_that_large():
    # given the test image
    data = huge_png()

    # then it is a real PNG header of 12000 × 12000 in under 1 MB
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (12_000, 12_000) and img.format == "PNG"
    assert len(data) < MB


def test_a_huge_image_is_refused_from_its_header():
    # when
    with pytest.raises(ValidationFailed) as exc:
        checked_bytes(huge_png(), field="signature", allowed=IMAGE_KINDS)

    # then
    assert exc.value.status == 422
    assert exc.value.code == "image_too_large"
    assert "signature" in exc.value.fields


_PEAK_PROBE = """
import os, resource, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
import django
django.setup()
from core.errors import ValidationFailed
from core.uploads import IMAGE_KINDS, checked_bytes
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    checked_bytes(data, field="signature", allowed=IMAGE_KINDS)
    outcome = "accepted"
except ValidationFailed as exc:
    outcome = exc.code
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(outcome, (after - before) * 1024)
"""


def test_a_huge_image_is_refused_without_decoding_it(tmp_path):
    """Measured in a fresh process: its peak memory grows by far less than the decoded image
    (576 MB) while the upload is checked."""
    # given the 12000 × 12000 PNG on disk
    path = tmp_path / "huge.png"
    path.write_bytes(huge_png())

    # when a fresh process checks it
    run = subprocess.run(
        [sys.executable, "-c", _PEAK_PROBE, str(path)],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
        check=False,
    )

    # then it is refused and the peak grew by less than 50 MB
    assert run.returncode == 0, run.stderr[-2000:]
    outcome, grown = run.stdout.split()[-2:]
    assert int(grown) < 50 * MB, f"peak memory grew by {int(grown) // MB} MB"
    assert outcome == "image_too_large"


# --- 3. the request body's cap ---------------------------------------------------------------


def _unit_client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_an_upload_declared_over_the_cap_is_refused_unread():
    # given a customer sending a 2 GB multipart body to the API
    client = _unit_client(UserFactory(role="customer"))
    body = multipart_body(2 * 1024 * MB)

    # when
    response = client.post(
        "/api/v1/units", content_type=MULTIPART, **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size)}
    )

    # then a 413 in the API's shape, and not one byte of the body was read
    assert response.status_code == 413, response.content[:300]
    payload = response.json()
    assert payload["code"] == "too_large" and set(payload) == {"code", "message", "fields"}
    assert "32" in payload["message"]  # the cap, in MB
    assert body.read_bytes == 0
    assert not Unit.objects.exists() and not Document.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_console_form_declared_over_the_cap_gets_the_translated_413_page(language):
    # given an agent posting a 40 MB intake form (the upload routes' cap is 32 MB)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(UserFactory(role="agent"))
    body = multipart_body(40 * MB, field="attachments")

    # when
    response = client.post(
        "/console/new/", content_type=MULTIPART, **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size)}
    )

    # then the product's page, in the user's language, and the body was not read
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    with override(language):
        title = gettext("Too large to send")
    assert title in html
    assert (title == "Too large to send") == (language == "en")  # translated
    assert body.read_bytes == 0


@pytest.mark.django_db
def test_a_route_without_files_has_the_small_cap():
    # given a 4 MB JSON body to an operation that takes no file (cap: 3 MB)
    client = _unit_client(UserFactory(role="customer"))
    body = Body(4 * MB)

    # when
    response = client.post(
        "/api/v1/service-requests",
        content_type="application/json",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size)},
    )

    # then
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert body.read_bytes == 0


@pytest.mark.django_db
def test_an_upload_under_the_cap_still_goes_through():
    # given a real proof well under every cap
    from service.tests.flow import pdf_bytes

    client = _unit_client(UserFactory(role="customer"))
    model = ProductModelFactory()

    # when
    response = client.post(
        "/api/v1/units", {"serial": "CAP-1", "model": model.code, "proof": SimpleUploadedFile("p.pdf", pdf_bytes())}
    )

    # then
    assert response.status_code == 201, response.content[:300]
    assert Document.objects.count() == 1


def test_the_parser_stops_at_the_cap_when_the_length_lies(db):
    """A body longer than its ``Content-Length`` (as a server that does not bound the stream
    would hand it over): the upload handler stops at the cap plus one chunk, nothing more is
    read or spooled."""
    # given a request to a route without files (cap 3 MB) claiming 1 KB but carrying 20 MB
    request = RequestFactory().post("/api/v1/service-requests", data=b"", content_type=MULTIPART)
    request.META.update(CONTENT_TYPE=MULTIPART, CONTENT_LENGTH="1024")
    body = multipart_body(20 * MB, field="attachments")
    parser = MultiPartParser(request.META, body, request.upload_handlers)

    # when
    with pytest.raises(RequestTooLarge):
        parser.parse()

    # then at most the cap, one 64 KB chunk and the part's headers were read (of 20 MB)
    assert body.read_bytes <= settings.REQUEST_MAX_BYTES + 64 * 1024 + len(body.head)


def test_the_parser_refuses_by_the_declared_length_without_the_middleware(db):
    # given a request parsed without the middleware in front (e.g. built in code)
    body = multipart_body(10 * MB)
    request = RequestFactory().post("/api/v1/units", data=b"", content_type=MULTIPART)
    request.META.update(CONTENT_TYPE=MULTIPART, CONTENT_LENGTH=str(body.size))

    # when the cap of /api/v1/units is 1 MB
    with override_settings(REQUEST_MAX_BYTES_BY_URL={"api:register_unit": MB}):
        with pytest.raises(RequestTooLarge):
            MultiPartParser(request.META, body, request.upload_handlers).parse()

    # then nothing was read
    assert body.read_bytes == 0


# --- 4. Django's refusals of an oversized form are the product's 413 -------------------------


def _form_fields(n: int) -> str:
    return "&".join(f"f{i}=x" for i in range(n))


@pytest.mark.django_db
def test_a_console_form_with_too_many_fields_gets_the_413_page():
    # given an agent's form with more fields than Django accepts
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(UserFactory(role="agent"))

    # when
    response = client.post(
        "/console/new/",
        _form_fields(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10),
        content_type="application/x-www-form-urlencoded",
    )

    # then
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    with override("zh-hans"):
        assert gettext("Too large to send") in response.content.decode()


@pytest.mark.django_db
def test_an_oversized_form_read_by_the_csrf_check_gets_the_413_page():
    """In production the CSRF check reads the form first (in its ``process_view``): Django's
    ``RequestDataTooBig`` there used to be its HTML 400."""
    # given a customer with a CSRF cookie, on the portal's request form (an upload route: 32 MB)
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(CustomerFactory(user=UserFactory(role="customer")).user)
    client.get("/portal/requests/new/")
    token = client.cookies["csrftoken"].value

    # when its fields alone (a 4 MB description) are over Django's 3 MB for form fields
    data = {"csrfmiddlewaretoken": token, "fault_description": "x" * (4 * MB)}
    response = client.post("/portal/requests/new/", encode_multipart(BOUNDARY, data), content_type=MULTIPART)

    # then the product's 413 page
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "Too large to send" in response.content.decode()


@pytest.mark.django_db
def test_an_oversized_form_read_in_a_view_gets_the_413_page_not_json():
    # given a customer's multipart form whose fields are over 3 MB (read by the view itself)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(CustomerFactory(user=UserFactory(role="customer")).user)

    # when
    data = {"fault_description": "x" * (4 * MB)}
    response = client.post("/portal/requests/new/", encode_multipart(BOUNDARY, data), content_type=MULTIPART)

    # then
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "Too large to send" in response.content.decode()


@pytest.mark.django_db
def test_an_oversized_api_form_is_the_json_413():
    # given a multipart form to the API whose fields are over 3 MB (under the route's 32 MB)
    client = _unit_client(UserFactory(role="customer"))

    # when
    data = {"serial": "x" * (4 * MB)}
    response = client.post("/api/v1/units", encode_multipart(BOUNDARY, data), content_type=MULTIPART)

    # then
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.django_db
def test_an_api_form_with_too_many_fields_is_the_json_413():
    # when
    client = _unit_client(UserFactory(role="customer"))
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10)}
    response = client.post("/api/v1/units", encode_multipart(BOUNDARY, fields), content_type=MULTIPART)

    # then
    assert response.status_code == 413, response.content[:300]
    assert response.json()["code"] == "too_large"
