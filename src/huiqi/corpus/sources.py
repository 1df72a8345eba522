"""Reading a document file into text: UTF-8 (with or without BOM), GBK/GB18030 and other Chinese
encodings (detected), and ``.docx``.

Every failure is a :class:`SourceError` whose message names the file (and the line of the first
undecodable byte when there is one), so that a person can act on it without a traceback.

Offsets everywhere in the corpus are ``str`` indices into the text returned here. For the five policy
files (UTF-8, ``\\n`` line ends) that is exactly the file's decoded content; for other files line ends
``\\r\\n`` / ``\\r`` are turned into ``\\n`` first, so that line-based parsing sees one kind of line end.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
DOCX_SUFFIX = ".docx"

# Encodings we accept from detection: the Chinese ones. A detector's guess of e.g. cp1252 for Chinese
# bytes would decode "successfully" into mojibake, so it is refused.
_CHINESE_ENCODINGS = ("gb18030", "gbk", "gb2312", "big5", "big5hkscs", "hz", "iso2022_cn")


class SourceError(Exception):
    """A document file that cannot be read. ``str(err)`` is the message to show the user."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}" if line is None else f"{self.path}, line {line}"
        super().__init__(f"{where}: {message}")


def read_source(path: Path | str) -> str:
    """The text of a document file (``.txt`` in any common Chinese encoding, or ``.docx``)."""
    path = Path(path)
    if not path.exists():
        raise SourceError(path, None, "file not found")
    if path.is_dir():
        raise SourceError(path, None, "is a folder, not a document file")
    suffix = path.suffix.lower()
    if suffix == DOCX_SUFFIX:
        return _normalise_newlines(read_docx(path))
    if suffix == ".doc":
        raise SourceError(path, None, "old binary Word (.doc) files are not supported: save it as .docx")
    if suffix == ".pdf":
        raise SourceError(path, None, "PDF is not supported: convert it to .txt (UTF-8) or .docx")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, None, f"cannot read the file ({exc.strerror or exc})") from exc
    return _normalise_newlines(decode_bytes(data, path))


def decode_bytes(data: bytes, path: Path | str = "<bytes>") -> str:
    """Decode a text file's bytes: UTF-8, else UTF-16/32 (with BOM), GB18030 or a detected Chinese
    encoding (see :func:`_candidate_encodings`); refuse what none of them reads cleanly."""
    if not data.strip():
        raise SourceError(path, None, "the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    else:
        _refuse_binary(text, path)
        return text

    bad_line = data[:bad_at].count(b"\n") + 1
    for encoding in _candidate_encodings(data):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_like_text(text):
            _refuse_binary(text, path)
            return text
    raise SourceError(
        path,
        bad_line,
        f"not valid UTF-8 (byte 0x{data[bad_at]:02x} at line {bad_line} cannot be decoded) and not a "
        "recognisable Chinese encoding (GB18030/GBK/Big5); re-save the file as UTF-8",
    )


def read_docx(path: Path) -> str:
    """The paragraphs of a ``.docx`` joined with ``\\n`` (tables and headers are not read)."""
    import zipfile

    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SourceError(path, None, f"not a readable .docx file ({exc})") from exc
    text = "\n".join(p.text for p in document.paragraphs)
    if not text.strip():
        raise SourceError(path, None, "the .docx file has no paragraph text")
    return text


def _candidate_encodings(data: bytes) -> list[str]:
    """Encodings to try, most likely first. UTF-16/32 only with their byte-order mark. Then GB18030
    (the superset of GBK/GB2312): the texts are simplified Chinese, and on short texts a detector
    guesses wrong more often than not (a few GBK characters "are" UTF-16 or Big5 just as well).
    Big5 read as GB18030 lands in the private-use area, which :func:`_looks_like_text` refuses, so
    the detector's guess is tried next."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return ["utf_32"]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ["utf_16"]
    import charset_normalizer  # only non-UTF-8 files need it; keeps the policy load light

    out = ["gb18030"]
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        enc = best.encoding.lower().replace("-", "_")
        if enc in _CHINESE_ENCODINGS and enc not in out:
            out.append(enc)
    return out


def _looks_like_text(text: str) -> bool:
    """Mostly CJK, ASCII and punctuation: a wrong guess decodes to rare symbols and private-use chars."""
    if not text:
        return False
    odd = 0
    for ch in text:
        if ch.isascii() or "\u4e00" <= ch <= "\u9fff" or ch in "\u3000":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Co", "Cn", "Cs") or (cat == "Cc" and ch not in "\t\n\r\f"):
            odd += 1
        elif cat.startswith("P") or cat.startswith("N") or cat.startswith("S") or cat.startswith("Z"):
            continue
        elif "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff":  # rare CJK: suspicious
            odd += 1
    return odd <= max(2, len(text) // 200)


def _refuse_binary(text: str, path: Path | str) -> None:
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise SourceError(path, line, "contains NUL bytes: this is a binary file, not a text document")


def _normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
