"""Read a problem spec file (YAML or JSON) into plain data with exact numbers."""
from __future__ import annotations

import codecs
import json
import struct
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

from .errors import SpecError
from .literals import MAX_DIGITS, parse_number


MAX_FILE_BYTES = 10 * 1024 * 1024  # a spec is a few kilobytes; 10 MB holds a 1000×1000 image


def _json_constant(name: str) -> Any:
    raise SpecError(f"{name} is not a finite number")


def _json_int(text: str) -> int | str:
    # Too many digits for int() (over 4300 raises): kept as text, so the validator names its field.
    return int(text) if len(text) <= MAX_DIGITS else text


def parse_text(text: str, suffix: str) -> Any:
    """Parse spec text; JSON for `.json`, YAML (a superset of JSON) otherwise."""
    if suffix.lower() == ".json":
        try:
            return json.loads(text, parse_float=parse_number, parse_int=_json_int, parse_constant=_json_constant)
        except json.JSONDecodeError as exc:
            raise SpecError(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
        except RecursionError:
            raise SpecError("nested too deeply") from None
    from .yamlspec import parse_yaml  # PyYAML's import (its resolver's regexes) only for a YAML spec

    return parse_yaml(text)


def read_spec(path: str | Path) -> Any:
    """Read and parse the spec file at `path`; errors name the file."""
    name = str(path)
    p = Path(path)
    try:
        if p.is_dir():
            raise SpecError("is a directory, not a spec file")
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SpecError(f"is too large ({size / 2**20:.1f} MB; a spec may be at most {MAX_FILE_BYTES // 2**20} MB)")
        text = decode(p.read_bytes())
    except FileNotFoundError:
        raise SpecError("file not found", source=name) from None
    except PermissionError:
        raise SpecError("permission denied", source=name) from None
    except SpecError as exc:
        raise exc.located(name) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", source=name) from None
    except ValueError:  # a NUL byte in the name (Python 3.12 raises where 3.11 said "no such file")
        raise SpecError("is not a valid file name", source=name) from None
    try:
        return parse_text(text, p.suffix)
    except SpecError as exc:
        raise exc.located(name) from None


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # UTF-32 LE's BOM begins like UTF-16 LE's


def decode(data: bytes) -> str:
    """The text of a spec file: UTF-8, or any UTF with a byte-order mark (as Windows editors save)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise SpecError(f"not valid {codec.upper().removesuffix('-SIG')} although it starts with its "
                                "byte-order mark: save the file as UTF-8") from None
    if _looks_utf16(data):
        raise SpecError("not UTF-8: save the file as UTF-8 (it looks like UTF-16 without a byte-order mark)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SpecError(f"not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}): save the file as UTF-8 "
                        "(it looks like Latin-1 or Windows-1252)") from None


def _looks_utf16(data: bytes) -> bool:
    # ASCII text in UTF-16 is every other byte NUL: valid UTF-8, but no spec has NULs.
    return len(data) >= 4 and max(data[0::2].count(0), data[1::2].count(0)) * 4 >= len(data)


def plain_data(value: Any) -> Any:
    """A spec from Python as plain data: tuples and arrays (anything with .tolist(), as numpy's
    and PyTorch's) become lists; their floats become the decimals they display (float32's 0.1 is 1/10)."""
    if isinstance(value, Mapping):
        return {key: plain_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(item) for item in value]
    if isinstance(value, (str, bytes, int, float, Fraction)) or value is None:
        return value
    tolist = getattr(value, "tolist", None)
    if not callable(tolist):
        return value
    width = _float_format(str(getattr(value, "dtype", "")))
    return _narrow(plain_data(tolist()), width) if width else plain_data(tolist())


def _float_format(dtype: str) -> str | None:
    """struct's format for a float narrower than Python's (its values print shorter), else None."""
    if dtype.endswith("float32"):
        return "f"
    if dtype.endswith("float16"):
        return "e"
    return None


def _narrow(value: Any, fmt: str) -> Any:
    if isinstance(value, list):
        return [_narrow(item, fmt) for item in value]
    if not isinstance(value, float):
        return value
    return _shortest(value, fmt)


def _shortest(x: float, fmt: str) -> str:
    """The shortest decimal that reads back as the same float32 (or float16) `x`: what numpy prints."""
    for digits in range(1, 18):
        text = f"{x:.{digits}g}"
        try:
            if struct.unpack(fmt, struct.pack(fmt, float(text)))[0] == x:
                return text
        except OverflowError:  # rounding up past the type's largest value
            continue
    return repr(x)  # nan and infinities: the validator names them
