"""Images people put on a board: decoded and encoded again, so that only real pictures are kept.

Pure: bytes in, bytes out, no I/O. Decoding is CPU work; the server runs ``prepare`` in its worker
process. Only PNG, JPEG, WebP and GIF are opened (Pillow is told so, so no other decoder ever
sees the bytes; SVG is not a format Pillow reads at all). A picture of more than
``MAX_SOURCE_PIXELS`` is refused before its pixels are decoded, which is what stops a
decompression bomb (a few kilobytes that would decode to gigabytes). What is kept is a new file
of the same type, written from the pixels alone: whatever else the file held (EXIF with its GPS
position, XMP, comments, an ICC profile, bytes after the end, a second file in the same bytes) is
gone. Its longer side is at most ``MAX_SIDE`` pixels (larger pictures are scaled down), a photo
is turned upright as its EXIF orientation said, colors described by an ICC profile are converted
to sRGB, and an animated GIF or WebP keeps its first frame.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# Pillow format name -> the type the server stores and serves.
TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}
# Pictures of more pixels than this are refused without decoding them (a 8,000 x 6,000 photo
# is 48 million): the decoded pixels of the largest accepted one take about 200 MB.
MAX_SOURCE_PIXELS = 50_000_000
# The longer side of a kept image, in pixels; larger ones are scaled down to it.
MAX_SIDE = 4096
# The longer side of the small copy that gallery thumbnails embed.
PREVIEW_SIDE = 256
JPEG_QUALITY = 90
WEBP_QUALITY = 90
PREVIEW_QUALITY = 75
ONLY = "only PNG, JPEG, WebP and GIF images can be added"
_SRGB = ImageCms.createProfile("sRGB")
# Decoding errors Pillow raises for broken or hostile input.
_UNREADABLE = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    struct.error,
)

Image.MAX_IMAGE_PIXELS = MAX_SOURCE_PIXELS


class InvalidImage(ValueError):
    """Not a picture the board keeps; the message says why, in words for the person adding it."""


class UnsupportedImage(InvalidImage):
    """Not a PNG, JPEG, WebP or GIF file at all (SVG included)."""


@dataclass(frozen=True)
class Prepared:
    """An image as the board keeps it: ``body`` is the new file, ``hash`` its SHA-256 (hex),
    ``preview`` a small WebP copy for thumbnails."""

    hash: str
    type: str
    width: int
    height: int
    body: bytes
    preview: bytes


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def prepare(data: bytes) -> Prepared:
    """The board's copy of an uploaded file.

    Raises:
        InvalidImage: not a PNG, JPEG, WebP or GIF that decodes whole, or too many pixels.
    """
    if data.lstrip()[:1] == b"<":
        raise UnsupportedImage("SVG and other markup is not accepted: only PNG, JPEG, WebP and GIF")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those as well.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(TYPES)) as source:
                kind = source.format or ""
                if kind not in TYPES:
                    raise UnsupportedImage(ONLY)
                width, height = source.size
                if width < 1 or height < 1:
                    raise InvalidImage("the image has no pixels")
                if width * height > MAX_SOURCE_PIXELS:
                    raise InvalidImage(_too_many(width, height))
                source.seek(0)  # the first frame of an animation
                source.load()
                pixels = _upright(source)
    except InvalidImage:
        raise
    except UnidentifiedImageError:
        raise UnsupportedImage(ONLY) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidImage(
            f"the image has more than {MAX_SOURCE_PIXELS // 1_000_000} million pixels"
        ) from None
    except _UNREADABLE:
        raise InvalidImage("the image is broken: it cannot be read whole") from None
    return _encode(pixels, kind)


def _too_many(width: int, height: int) -> str:
    return (
        f"the image is {width} x {height} pixels; "
        f"at most {MAX_SOURCE_PIXELS // 1_000_000} million pixels are accepted"
    )


def _upright(source: Image.Image) -> Image.Image:
    """The first frame's pixels, upright, in sRGB, at most ``MAX_SIDE`` on a side, and nothing
    else of the file."""
    image = ImageOps.exif_transpose(source)  # a copy, turned if the EXIF said so
    transparency = image.info.get("transparency")
    icc = image.info.get("icc_profile")
    large = max(image.size) > MAX_SIDE
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    elif image.mode in ("1", "P") and (icc or large):
        # Palette pixels cannot be scaled smoothly or converted between color spaces.
        image = image.convert("RGBA" if transparency is not None else "RGB")
        transparency = None
    elif image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "CMYK"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        image = _to_srgb(image, icc)
    if image.mode == "CMYK":
        image = image.convert("RGB")
    if large:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    image.info = {} if transparency is None else {"transparency": transparency}
    return image


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """The pixels converted from the colors their ICC profile describes to sRGB."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGB" if image.mode == "CMYK" else image.mode
        return ImageCms.profileToProfile(image, profile, _SRGB, outputMode=mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: the pixels as they are


def _encode(image: Image.Image, kind: str) -> Prepared:
    out = io.BytesIO()
    options: dict[str, object] = {}
    if "transparency" in image.info and kind in ("PNG", "GIF"):
        options["transparency"] = image.info["transparency"]
    if kind == "JPEG":
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        options.update(quality=JPEG_QUALITY)
    elif kind == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if image.mode in ("LA", "P") else "RGB")
        options.update(quality=WEBP_QUALITY)
    elif kind == "GIF" and image.mode not in ("L", "P"):
        image = image.convert("RGBA") if image.mode == "LA" else image
    image.save(out, kind, **options)
    body = out.getvalue()
    return Prepared(
        content_hash(body), TYPES[kind], image.width, image.height, body, _preview(image)
    )


def _preview(image: Image.Image) -> bytes:
    small = image.convert("RGBA" if _has_alpha(image) else "RGB")
    small.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, "WEBP", quality=PREVIEW_QUALITY)
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.mode or "transparency" in image.info
