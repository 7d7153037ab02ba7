"""CPU time of keeping an uploaded image (``server.images.prepare``: decode, turn, convert,
scale down, encode again, and the preview), on files like those people add; no server.

    .venv/bin/python -m bench.images --runs 3

The files are made here, seeded: photos (smooth light with sensor noise, as a camera's JPEG),
screenshots (flat colors and text-like detail, PNG), and the refusals that must cost little: a
decompression bomb and a truncated file.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter

from server import images


def photo(width: int, height: int, kind: str = "JPEG", seed: int = 1) -> bytes:
    rng = random.Random(seed)
    light = Image.radial_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.frombytes(
        "RGB", (width // 4, height // 4), rng.randbytes(width * height * 3 // 16)
    )
    picture = Image.blend(
        light, noise.resize((width, height)).filter(ImageFilter.GaussianBlur(2)), 0.35
    )
    out = io.BytesIO()
    picture.save(out, kind, **({"quality": 92} if kind == "JPEG" else {}))
    return out.getvalue()


def screenshot(width: int, height: int, seed: int = 2) -> bytes:
    rng = random.Random(seed)
    picture = Image.new("RGB", (width, height), (248, 249, 250))
    draw = ImageDraw.Draw(picture)
    for _ in range(400):
        x, y = rng.randrange(width), rng.randrange(height)
        color = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle((x, y, x + rng.randrange(8, 300), y + rng.randrange(6, 40)), fill=color)
        draw.text((x + 4, y + 2), "lorem ipsum dolor", fill=(20, 20, 20))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    return out.getvalue()


def timed(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        try:
            action()
        except images.InvalidImage:
            pass
        times.append(time.process_time() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    shot = screenshot(2560, 1600)
    cases = {
        "phone photo, JPEG 4032 x 3024": photo(4032, 3024),
        "photo, JPEG 8000 x 6000 (scaled to 4096)": photo(8000, 6000, seed=3),
        "screenshot, PNG 2560 x 1600": shot,
        "photo, WebP 3000 x 2000": photo(3000, 2000, "WEBP"),
        "screenshot, PNG 5120 x 2880 (scaled to 4096)": screenshot(5120, 2880),
        "decompression bomb, PNG 20000 x 20000 (refused)": bomb(),
        "truncated PNG (refused)": shot[: len(shot) // 2],
    }
    print("| file | bytes in | bytes kept | preview | CPU (median) |")
    print("|---|---|---|---|---|")
    for name, data in cases.items():
        try:
            kept = images.prepare(data)
            sizes = f"{len(kept.body):,} | {len(kept.preview):,}"
        except images.InvalidImage:
            sizes = "— | —"
        seconds = timed(lambda data=data: images.prepare(data), args.runs)
        print(f"| {name} | {len(data):,} | {sizes} | {seconds * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
