"""Hostile workbooks for the tests and the benchmark (issue 16 item 3): a valid roll template whose shared strings
hold one string that inflates to ``inflated`` bytes from about a thousandth of that on disk."""

from __future__ import annotations

import io
import zipfile

from app.roll.template import roll_template_xlsx

CHUNK = 8 * 1024 * 1024


def zip_bomb(inflated: int = 1024 * 1024 * 1024) -> bytes:
    """The template with a shared string of ``inflated`` bytes of "A" (deflated: a few hundred KB per 256 MB)."""
    source = zipfile.ZipFile(io.BytesIO(roll_template_xlsx(False)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                bomb.writestr(item, source.read(item.filename))
        with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
            stream.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
            stream.write(b' count="1" uniqueCount="1"><si><t>')
            written, block = 0, b"A" * CHUNK
            while written < inflated:
                stream.write(block)
                written += len(block)
            stream.write(b"</t></si></sst>")
    return out.getvalue()
