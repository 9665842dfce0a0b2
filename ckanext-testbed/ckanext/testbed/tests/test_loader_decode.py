"""Unit tests of ckanext.testbed.loader.decode: strict UTF-8 / CP932 detection, no mojibake."""

from __future__ import annotations

import codecs

import pytest
from ckanext.testbed.loader.decode import decode_bytes
from ckanext.testbed.loader.messages import BINARY_FILE, UNDECODABLE, UTF16_FILE, LoadError

pytestmark = pytest.mark.unit

SAMPLE = "年度,地区名,人口\n2020,中央区,1234\n2021,北区,5678\n"


def test_is_plain_utf8_decoded_as_utf8():
    """Is a UTF-8 file without a BOM decoded as UTF-8?"""
    decoded = decode_bytes(SAMPLE.encode("utf-8"))
    assert decoded.text == SAMPLE
    assert decoded.encoding == "utf-8"


def test_is_the_utf8_bom_removed():
    """Is a UTF-8 BOM (Excel's "CSV UTF-8") stripped so it cannot stick to the first header?"""
    decoded = decode_bytes(codecs.BOM_UTF8 + SAMPLE.encode("utf-8"))
    assert decoded.text == SAMPLE
    assert decoded.encoding == "utf-8-sig"


def test_is_shift_jis_decoded_as_cp932():
    """Is a Shift_JIS (Excel's default "CSV") file decoded without mojibake?"""
    decoded = decode_bytes(SAMPLE.encode("cp932"))
    assert decoded.text == SAMPLE
    assert decoded.encoding == "cp932"


def test_are_cp932_only_characters_decoded():
    """Are NEC/IBM extension characters that exist only in CP932 (①, ㈱, 髙) accepted?"""
    text = "会社名,番号\n㈱髙橋商店,①\n"
    assert decode_bytes(text.encode("cp932")).text == text


def test_is_ascii_only_file_utf8():
    """Is an ASCII-only file treated as UTF-8?"""
    assert decode_bytes(b"a,b\n1,2\n").encoding == "utf-8"


def test_is_one_bad_byte_deep_in_a_large_file_caught():
    """Is a file that is clean Shift_JIS except one invalid byte 5,000 lines in rejected, naming the line?"""
    lines = [f"{i},中央区,{i * 3}\n" for i in range(10_000)]
    data = bytearray("".join(lines).encode("cp932"))
    offset = len("".join(lines[:5_000]).encode("cp932"))
    data[offset] = 0xFF  # not a character in Shift_JIS, not valid in UTF-8 either
    with pytest.raises(LoadError) as caught:
        decode_bytes(bytes(data))
    assert UNDECODABLE in caught.value.message
    assert "5001 行目" in caught.value.message


def test_is_one_bad_byte_deep_in_a_utf8_file_caught():
    """Is a UTF-8 file with a single invalid byte near its end rejected instead of read as CP932?"""
    data = bytearray(("年度,人口\n" + "2020,1234\n" * 3_000 + "2021,北区\n").encode("utf-8"))
    data[-4] = 0xFF  # replace the lead byte of 区 (E5 8C BA) with a byte UTF-8 never uses
    with pytest.raises(LoadError) as caught:
        decode_bytes(bytes(data))
    assert "3002 行目" in caught.value.message


def test_is_a_file_mixing_utf8_and_shift_jis_rejected():
    """Is a UTF-8 header glued to a Shift_JIS body rejected rather than decoded as mojibake?"""
    data = "年度,地区名\n".encode() + "2020,中央区\n".encode("cp932")
    with pytest.raises(LoadError) as caught:
        decode_bytes(data)
    assert "2 行目" in caught.value.message


@pytest.mark.parametrize("single_byte", [b"\x80", b"\xa0", b"\xfd", b"\xfe", b"\xff"])
def test_are_bytes_that_python_cp932_maps_to_private_use_rejected(single_byte):
    """Are bytes that Python's cp932 codec decodes but that are not Shift_JIS characters rejected?"""
    with pytest.raises(LoadError):
        decode_bytes("人口\n".encode("cp932") + single_byte + b"\n")


def test_is_utf16_reported_as_utf16():
    """Is a UTF-16 file (Excel's "Unicode text") rejected with a message that says UTF-16?"""
    with pytest.raises(LoadError) as caught:
        decode_bytes(SAMPLE.encode("utf-16"))
    assert caught.value.message == UTF16_FILE


def test_is_a_binary_file_rejected():
    """Is a file with NUL bytes (binary, or UTF-16 without BOM) rejected?"""
    with pytest.raises(LoadError) as caught:
        decode_bytes("a,b\n".encode("utf-16-le"))
    assert caught.value.message == BINARY_FILE


def test_is_latin1_rejected():
    """Is a Western (cp1252) file rejected instead of being guessed?"""
    with pytest.raises(LoadError):
        decode_bytes("name\ncafé au lait\n".encode("cp1252"))
