"""server/images.py: only real pictures of the allowed types are kept, written again from their
pixels."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from server import images


def picture(
    kind: str, size: tuple[int, int] = (120, 80), mode: str = "RGB", **options: object
) -> bytes:
    color: object = (220, 40, 40, 255)[: len(mode)] if mode in ("RGB", "RGBA") else 1
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, kind, **options)  # type: ignore[arg-type]
    return out.getvalue()


def opened(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    return image


@pytest.mark.parametrize(
    ("kind", "media_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")],
)
def test_each_allowed_type_is_kept_as_a_new_file_of_that_type(kind: str, media_type: str) -> None:
    kept = images.prepare(picture(kind))
    assert (kept.type, kept.width, kept.height) == (media_type, 120, 80)
    assert opened(kept.body).format == kind
    assert kept.hash == images.content_hash(kept.body)
    assert opened(kept.preview).format == "WEBP"
    assert max(opened(kept.preview).size) <= images.PREVIEW_SIDE


def test_the_same_file_twice_is_the_same_image() -> None:
    data = picture("PNG")
    assert images.prepare(data).hash == images.prepare(data).hash


def test_a_polyglot_keeps_only_its_picture() -> None:
    # A PNG that is also a web page (after the image's end) and a ZIP archive.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.js", "alert(document.cookie)")
    page = b"<html><script>alert(document.cookie)</script></html>"
    text = Image.new("RGB", (40, 30))
    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    out = io.BytesIO()
    text.save(out, "PNG", pnginfo=info)
    polyglot = out.getvalue() + page + archive.getvalue()
    assert b"<script>" in polyglot and b"payload.js" in polyglot
    kept = images.prepare(polyglot)
    assert b"script" not in kept.body and b"payload" not in kept.body
    assert kept.type == "image/png"
    assert not opened(kept.body).info


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded() -> None:
    # 48 KB of PNG that would decode to 400 million pixels.
    bomb = picture("PNG", (20_000, 20_000), mode="1")
    assert len(bomb) < 100_000
    with pytest.raises(images.InvalidImage, match="million pixels"):
        images.prepare(bomb)


def test_a_picture_just_over_the_pixel_limit_is_refused_too() -> None:
    # Between Pillow's warning and its error: refused all the same.
    side = int((images.MAX_SOURCE_PIXELS * 1.2) ** 0.5)
    with pytest.raises(images.InvalidImage, match="million pixels"):
        images.prepare(picture("PNG", (side, side), mode="1"))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a<script>alert(1)</script>",
        b"\x00" * 1000,
        picture("BMP"),
        picture("TIFF"),
    ],
    ids=["empty", "gif-header-then-script", "zeros", "bmp", "tiff"],
)
def test_a_file_of_another_type_is_refused_as_unsupported(data: bytes) -> None:
    with pytest.raises(images.UnsupportedImage):
        images.prepare(data)


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'  <?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    ],
)
def test_svg_is_not_accepted(data: bytes) -> None:
    with pytest.raises(images.UnsupportedImage, match="SVG"):
        images.prepare(data)


def test_a_truncated_image_is_refused_as_broken() -> None:
    data = picture("PNG", (400, 400))
    with pytest.raises(images.InvalidImage, match="broken"):
        images.prepare(data[: len(data) // 2])


def test_a_large_picture_is_scaled_down_to_the_longest_side_kept() -> None:
    kept = images.prepare(picture("PNG", (6000, 1500)))
    assert (kept.width, kept.height) == (images.MAX_SIDE, images.MAX_SIDE // 4)


def test_exif_is_stripped_and_the_photo_turned_upright() -> None:
    source = Image.new("RGB", (60, 20), (10, 120, 200))
    exif = source.getexif()
    exif[0x0112] = 6  # orientation: turned a quarter to the right
    exif[0x010E] = "taken at 48.8584 N, 2.2945 E"
    out = io.BytesIO()
    source.save(out, "JPEG", exif=exif)
    assert b"48.8584" in out.getvalue()
    kept = images.prepare(out.getvalue())
    assert (kept.width, kept.height) == (20, 60)
    assert b"48.8584" not in kept.body
    assert "exif" not in opened(kept.body).info


def test_an_icc_profile_is_applied_and_not_kept() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    kept = images.prepare(picture("JPEG", icc_profile=profile))
    assert "icc_profile" not in opened(kept.body).info


def test_an_animation_keeps_its_first_frame() -> None:
    frames = [Image.new("P", (30, 30), index) for index in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    kept = opened(images.prepare(out.getvalue()).body)
    assert getattr(kept, "n_frames", 1) == 1


def test_a_transparent_png_stays_transparent() -> None:
    clear = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    out = io.BytesIO()
    clear.save(out, "PNG")
    kept = opened(images.prepare(out.getvalue()).body)
    assert kept.convert("RGBA").getpixel((5, 5))[3] == 0
