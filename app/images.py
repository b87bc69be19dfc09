"""Photos people upload (a candidate's portrait, an owner's evidence for an objection): re-encoded before they are
kept, so that what is stored is a plain JPEG of bounded size without its metadata (EXIF can hold a location)."""

from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l

from app.errors import DomainError

#: the largest upload taken
PHOTO_MAX_BYTES = 3 * 1024 * 1024
#: a 24-megapixel phone photo decodes to about 100 MB; larger images are refused before decoding
PHOTO_MAX_PIXELS = 24_000_000


def invalid_photo() -> DomainError:
    return DomainError("invalid_photo", _l("Choose a JPEG or PNG photo of at most 3 MB."), field="photo")


def reencoded_jpeg(data: bytes, max_side: int) -> bytes:
    """A JPEG or PNG upload as a JPEG of at most ``max_side`` pixels a side, turned upright, without metadata;
    anything else (another format, too large a file or image, a broken file) is refused with `invalid_photo`."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data or len(data) > PHOTO_MAX_BYTES:
        raise invalid_photo()
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG") or image.width * image.height > PHOTO_MAX_PIXELS:
                # the pixel bound is read from the header before decoding: a small file can unpack to gigabytes
                raise invalid_photo()
            upright = ImageOps.exif_transpose(image)  # phones store the turn in EXIF, which is dropped below
            upright.thumbnail((max_side, max_side))
            out = io.BytesIO()
            upright.convert("RGB").save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise invalid_photo() from error
    return out.getvalue()
