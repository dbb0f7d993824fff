"""Masking of personal data for roles that do not need it."""

import pytest

from core.masking import mask_address, mask_email, mask_name, mask_phone


@pytest.mark.parametrize(
    "phone, masked",
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("+8613812345678", "+86****5678"),
        ("021-5555-1234", "021****1234"),
        ("1234567", "123****4567"),
        ("123456", "****56"),
        ("12", "12"),
        ("", ""),
        (None, ""),
    ],
    ids=["mobile", "padded", "country-code", "landline", "seven-digits", "short", "two", "empty", "none"],
)
def test_mask_phone(phone, masked):
    # when / then
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", ["13812345678", "+8613812345678", "021-5555-1234"], ids=str)
def test_masked_phone_hides_the_middle_digits(phone):
    # when
    masked = mask_phone(phone)

    # then the middle of the number is gone
    middle = phone.strip()[3:-4]
    assert middle not in masked
    assert masked.endswith(phone[-4:])


@pytest.mark.parametrize(
    "name, masked",
    [("张三丰", "张**"), ("王五", "王*"), ("John Smith", "J*** S****"), ("Li", "L*"), ("", ""), (None, "")],
    ids=["chinese-3", "chinese-2", "latin", "short", "empty", "none"],
)
def test_mask_name(name, masked):
    # when / then
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    "address, masked",
    [("上海市浦东新区世纪大道100号", "上海市浦东新****"), ("北京市朝阳区", "北京市朝阳区"), ("", ""), (None, "")],
    ids=["long", "exactly-six", "empty", "none"],
)
def test_mask_address(address, masked):
    # when / then
    assert mask_address(address) == masked


@pytest.mark.parametrize(
    "email, masked",
    [
        ("zhang.san@example.com", "z***@example.com"),
        ("a@b.cn", "a***@b.cn"),
        ("not-an-email", "n***********"),
        ("", ""),
    ],
    ids=["normal", "short", "no-at", "empty"],
)
def test_mask_email(email, masked):
    # when / then
    assert mask_email(email) == masked
