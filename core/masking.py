"""Masking of personal data for roles that do not need it (SPEC §11)."""


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``; short numbers keep only the last 2 digits."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_name(name: str | None) -> str:
    """``张三丰`` → ``张**``; ``John Smith`` → ``J*** S****``."""
    if not name:
        return ""
    if " " in name.strip():
        return " ".join(p[:1] + "*" * (len(p) - 1) for p in name.split())
    return name[:1] + "*" * (len(name) - 1)


def mask_address(address: str | None) -> str:
    """Keep the first 6 characters (province/city), hide the rest."""
    if not address:
        return ""
    keep = 6
    return address[:keep] + ("****" if len(address) > keep else "")


def mask_email(email: str | None) -> str:
    if not email or "@" not in email:
        return mask_name(email)
    local, _, domain = email.partition("@")
    return local[:1] + "***@" + domain
