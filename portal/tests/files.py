"""Real files for upload tests: a PDF written by hand and a PNG drawn with Pillow."""

import io

from PIL import Image, ImageDraw


def pdf_bytes(pages: int = 1, padding: int = 0) -> bytes:
    """A minimal valid PDF written by hand: catalog, page tree, empty pages, xref, trailer."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages)).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>")
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    if padding:
        out += b"% " + b"x" * padding + b"\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def png_bytes(size=(200, 80)) -> bytes:
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).line([(10, 60), (60, 20), (110, 70), (190, 15)], fill="black", width=3)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
