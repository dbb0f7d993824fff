"""Checking uploaded files by their content, not their name.

A file must really be one of the allowed kinds (sniffed from its bytes), be under
the size limit, and images are re-encoded (dropping metadata and anything smuggled
after the image data). An image's dimensions are checked from its header, before any
pixel is decoded (``settings.UPLOAD_MAX_IMAGE_PIXELS``): a small file can describe a huge
image. The request carrying the file was already held to its route's cap (core/limits.py).
"""

import hashlib
import io

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .errors import ValidationFailed
from .policies import get_policy

IMAGE_KINDS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
DOCUMENT_KINDS = {"application/pdf": "pdf", **IMAGE_KINDS}


def checked_upload(upload, *, field: str, allowed: dict[str, str] = DOCUMENT_KINDS) -> ContentFile:
    """Return a safe ``ContentFile`` for ``upload`` or raise ``ValidationFailed``."""
    limit = int(get_policy("upload.max_bytes"))
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_big(field, limit)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big(field, limit)
    if not data:
        raise ValidationFailed(_("The file is empty."), fields={field: [_("The file is empty.")]})
    return checked_bytes(data, field=field, allowed=allowed)


def checked_bytes(data: bytes, *, field: str, allowed: dict[str, str] = DOCUMENT_KINDS) -> ContentFile:
    kind = filetype.guess(data)
    mime = kind.mime if kind else None
    if mime not in allowed:
        message = _("The file must be one of: %(kinds)s.") % {"kinds": ", ".join(sorted(set(allowed.values()))).upper()}
        raise ValidationFailed(message, code="bad_file_type", fields={field: [message]})
    ext = allowed[mime]
    if mime in IMAGE_KINDS:
        data = _reencode(data, ext, field)
    elif not (data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]):
        message = _("The PDF file is damaged or incomplete.")
        raise ValidationFailed(message, code="bad_file_type", fields={field: [message]})
    digest = hashlib.sha256(data).hexdigest()
    content = ContentFile(data, name=f"{digest[:32]}.{ext}")
    content.content_type = mime
    content.sha256 = digest
    return content


def _reencode(data: bytes, ext: str, field: str) -> bytes:
    """Decode and save again, once the header has shown the image is small enough to decode."""
    fmt = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[ext]
    try:
        # ``Image.open`` reads only the header; pixels are decoded by ``load`` (or ``convert``).
        with Image.open(io.BytesIO(data), formats=[fmt]) as img:
            _check_pixels(img.width, img.height, field)
            img.load()
            out = io.BytesIO()
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            img.save(out, format=fmt)
            return out.getvalue()
    except Image.DecompressionBombError:  # Pillow's own guard, should a header slip past ours
        raise _too_many_pixels(field) from None
    except (UnidentifiedImageError, OSError, ValueError):
        message = _("The image could not be read.")
        raise ValidationFailed(message, code="bad_file_type", fields={field: [message]}) from None


def _check_pixels(width: int, height: int, field: str) -> None:
    if width * height > settings.UPLOAD_MAX_IMAGE_PIXELS:
        raise _too_many_pixels(field)


def _too_many_pixels(field: str) -> ValidationFailed:
    message = _("The image is too large: at most %(mp)s megapixels.") % {
        "mp": round(settings.UPLOAD_MAX_IMAGE_PIXELS / 1_000_000)
    }
    return ValidationFailed(message, code="image_too_large", fields={field: [message]})


def _too_big(field: str, limit: int) -> ValidationFailed:
    if limit >= 1024 * 1024:
        message = _("The file is larger than %(mb)s MB.") % {"mb": round(limit / 1024 / 1024, 1)}
    else:
        message = _("The file is larger than %(kb)s KB.") % {"kb": max(1, round(limit / 1024))}
    return ValidationFailed(message, code="file_too_large", fields={field: [message]})


def store_document(content: ContentFile, *, actor, original_name: str = ""):
    """Save a checked ``ContentFile`` as a ``Document`` (call inside the caller's transaction)."""
    from .models import Document

    doc = Document(
        original_name=(original_name or "")[:200],
        content_type=content.content_type,
        size=content.size,
        sha256=content.sha256,
        uploaded_by=actor if actor is not None and actor.pk else None,
    )
    doc.file.save(content.name, content, save=False)
    doc.save()
    return doc
