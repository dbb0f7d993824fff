"""Uploaded files are checked by their content, size-limited, and images re-encoded."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.errors import ValidationFailed
from core.models import Document
from core.policies import set_policy
from core.uploads import IMAGE_KINDS, checked_bytes, checked_upload, store_document
from service.tests.flow import pdf_bytes, png_bytes
from tests.factories import UserFactory


def _jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPS
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_pdf_passes_unchanged(db):
    # given
    data = pdf_bytes()

    # when
    content = checked_bytes(data, field="proof")

    # then
    assert (content.content_type, content.read()) == ("application/pdf", data)
    assert content.name.endswith(".pdf")


def test_png_is_re_encoded_and_trailing_data_dropped():
    # given a PNG with a payload smuggled after the image data
    data = png_bytes() + b"<?php system($_GET['c']); ?>"

    # when
    content = checked_bytes(data, field="signature", allowed=IMAGE_KINDS)

    # then
    out = content.read()
    assert content.content_type == "image/png"
    assert b"<?php" not in out
    assert Image.open(io.BytesIO(out)).size == (240, 90)


def test_jpeg_metadata_is_dropped():
    # given
    data = _jpeg_with_exif()
    assert b"SecretCam" in data

    # when
    content = checked_bytes(data, field="proof")

    # then
    assert b"SecretCam" not in content.read()


@pytest.mark.parametrize(
    "data",
    [
        b"plain text",
        b"%PDF-1.7\nno end marker",
        b"GIF89a" + b"\x00" * 50,
        b"\x89PNG\r\n\x1a\n" + b"garbage" * 10,
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"PK\x03\x04" + b"\x00" * 50,
    ],
    ids=["text", "pdf-without-eof", "gif", "broken-png", "svg", "zip"],
)
def test_other_content_is_refused(data):
    # when / then
    with pytest.raises(ValidationFailed) as exc:
        checked_bytes(data, field="proof")
    assert exc.value.code == "bad_file_type"
    assert exc.value.fields["proof"]


def test_pdf_not_allowed_where_only_images_are():
    # when / then
    with pytest.raises(ValidationFailed):
        checked_bytes(pdf_bytes(), field="signature", allowed=IMAGE_KINDS)


def test_upload_over_the_limit_is_refused(db):
    # given
    set_policy("upload.max_bytes", 1000)
    upload = SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 2000 + b"%%EOF")

    # when / then
    with pytest.raises(ValidationFailed) as exc:
        checked_upload(upload, field="proof")
    assert exc.value.code == "file_too_large"
    assert str(exc.value.message) == "The file is larger than 1 KB."


@pytest.mark.parametrize(
    "limit, text", [(5 * 1024 * 1024, "5.0 MB"), (1536 * 1024, "1.5 MB"), (10 * 1024, "10 KB")], ids=str
)
def test_size_message_names_the_limit(db, limit, text):
    # given
    set_policy("upload.max_bytes", limit)

    # when
    with pytest.raises(ValidationFailed) as exc:
        checked_upload(SimpleUploadedFile("a.pdf", b"0" * (limit + 1)), field="proof")

    # then
    assert text in str(exc.value.message)


def test_upload_that_lies_about_its_size_is_still_refused(db):
    # given a file object reporting no size
    set_policy("upload.max_bytes", 1000)
    upload = io.BytesIO(b"%PDF-" + b"0" * 2000 + b"%%EOF")

    # when / then
    with pytest.raises(ValidationFailed) as exc:
        checked_upload(upload, field="proof")
    assert exc.value.code == "file_too_large"


def test_empty_upload_is_refused(db):
    # when / then
    with pytest.raises(ValidationFailed) as exc:
        checked_upload(SimpleUploadedFile("a.pdf", b""), field="proof")
    assert "proof" in exc.value.fields


def test_store_document(db):
    # given
    user = UserFactory()
    content = checked_bytes(pdf_bytes(), field="proof")

    # when
    doc = store_document(content, actor=user, original_name="x" * 300)

    # then
    doc = Document.objects.get(pk=doc.pk)
    assert (doc.content_type, doc.size, doc.uploaded_by_id, len(doc.original_name)) == (
        "application/pdf",
        len(pdf_bytes()),
        user.pk,
        200,
    )
    assert doc.sha256 == content.sha256
    assert doc.file.read() == pdf_bytes()
