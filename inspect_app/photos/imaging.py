"""Turn an uploaded photo into the three JPEG renditions the app stores.

Pure functions over bytes (Pillow only): validate the upload, bake in the EXIF orientation,
strip every piece of metadata (GPS included) and encode ``large``/``report``/``thumb``.
Nothing here knows about Flask, the database or where the bytes end up.

Speed: choices measured on the 2-core dev box, 12 MP (4032x3024, q90, ~3 MB) synthetic photos,
median ms per photo for the whole job (decode, three renditions, encode, hash), and PSNR in dB
of each *encoded* rendition against a full-decode LANCZOS reference (large/report/thumb):

    pipeline                                      ms   PSNR large / report / thumb
    LANCZOS everywhere, thumb from large         204   37.36 / 34.80 / 31.82
    LANCZOS everywhere, thumb from report        172   37.36 / 34.80 / 31.81
    BICUBIC large, box report, LANCZOS thumb     120   37.21 / 34.41 / 31.80   <- chosen
    BICUBIC large, box report, box thumb         117   37.21 / 34.41 / 31.50
    BILINEAR large, box report, LANCZOS thumb    117*  36.57 / 34.42 / 31.80   (softer: -9% bytes)
    (* two runs gave 117 and 125: within the noise of the chosen one on this shared box)

* JPEGs are decoded with ``draft()`` (libjpeg DCT scaling to 2016x1512): 43-53 ms instead
  of 86-108 ms, and 4x fewer pixels for every later step. The draft size must be in the
  *stored* orientation, so it is computed from the long edge.
* Rotation happens after the first resize: turning 1600 px costs 5 ms, 2016 px 10 ms.
* ``large``: BICUBIC 47 ms against LANCZOS 63-82 ms for 2016->1600; 0.15 dB after encoding.
* ``report``: at exactly 2x, ``reducing_gap=1.0`` makes it a 2x2 box average, 3 ms against
  32 ms for LANCZOS; 0.4 dB, invisible at the 370 dpi it is printed at.
* ``thumb``: LANCZOS from ``report`` (8 ms; 30 ms from ``large``, same result). A box here
  saves 8 ms but the thumb is what people look at on screen.
* Baseline JPEGs with ``optimize=True`` (+5 ms on the large one); progressive would cost
  about 20 ms more and buys nothing for images served at their final size.

The table is one side-by-side run of the variants; ``bench/photos.py`` measures the real
function at 134-138 ms median (209 ms on a busy run). Re-run it on another machine.
"""

from __future__ import annotations

import hashlib
import io
import struct
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageFile

__all__ = ["PhotoRejected", "ProcessedPhoto", "Rendition", "process"]

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 50_000_000

#: Longest edge in px and JPEG quality of each rendition.
LARGE = (1600, 82)  # shown in the app, zoomable
REPORT = (800, 80)  # embedded in PDFs 55 mm wide: about 370 dpi
THUMB = (400, 75)  # lists and the finding form

_NOT_A_PHOTO = "This file is not a photo we can read (JPEG, PNG or WebP only)."
_DAMAGED = "The photo is damaged or incomplete."
_WHITE = (255, 255, 255)

# Pillow reports decompression bombs (over 89 MP; over 179 MP is an error) and corrupt EXIF as
# warnings while it parses headers. We make the bomb warning an error and silence the rest.
# warnings.catch_warnings() swaps process-wide state, so concurrent uploads (threaded server)
# take turns through this lock; it is held only for header and EXIF parsing, never a decode.
_WARNINGS_LOCK = threading.Lock()

# What ImageOps.exif_transpose does for each EXIF Orientation. We cannot call it: it
# re-serialises the EXIF afterwards, which crashes on some corrupt EXIF (found by fuzzing),
# and we throw the EXIF away anyway.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Pillow accepts "MPO" (phone JPEGs with a depth map or second frame) as the JPEG opener.
_PILLOW_FORMATS = {"JPEG": ("JPEG", "MPO"), "PNG": ("PNG",), "WEBP": ("WEBP",)}
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, Image.DecompressionBombError)


class PhotoRejected(ValueError):
    """The upload is not a photo we accept; ``str(exc)`` is safe to show to the user.

    ``code`` is a stable identifier for API clients and logs.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Rendition:
    data: bytes  # a JPEG, with no metadata at all
    width: int
    height: int
    sha256: str  # hex digest of ``data``


@dataclass(frozen=True)
class ProcessedPhoto:
    source_format: str  # "JPEG", "PNG" or "WEBP"
    width: int  # of the "large" rendition, upright
    height: int
    renditions: dict[str, Rendition]


def process(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> ProcessedPhoto:
    """Validate an uploaded photo and make its renditions.

    :param data: the uploaded file, as sent.
    :param max_bytes: refuse anything bigger, before looking inside.
    :param max_pixels: refuse images whose header claims more pixels, before decoding them.
    :raises PhotoRejected: the file is empty, too big, not a JPEG/PNG/WebP, or damaged.
    """
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone flipped Pillow's global switch; we would silently accept half a photo.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    if not data:
        raise PhotoRejected("The file is empty. Please choose a photo.", code="empty")
    if len(data) > max_bytes:
        raise PhotoRejected(f"The photo is larger than {max_bytes / 2**20:g} MB.", code="too_large")
    source_format = _sniff(data)
    try:
        with _open(data, source_format, max_pixels) as im:
            im.verify()  # PNG: walks every chunk and checks its CRC
        with _open(data, source_format, max_pixels) as im:
            upright = _decode_large(im, source_format)
    except PhotoRejected:
        raise
    except _DECODE_ERRORS as exc:
        raise PhotoRejected(_DAMAGED, code="damaged") from exc

    # reducing_gap=1.0 turns the exact 2x step into a 2x2 box average; the thumb gets real
    # LANCZOS because it is looked at on screen (see the module docstring for the figures).
    report = _fit(upright, REPORT[0], Image.Resampling.LANCZOS, reducing_gap=1.0)
    thumb = _fit(report, THUMB[0], Image.Resampling.LANCZOS)
    renditions = {
        "large": _encode(upright, LARGE[1]),
        "report": _encode(report, REPORT[1]),
        "thumb": _encode(thumb, THUMB[1]),
    }
    large = renditions["large"]
    return ProcessedPhoto(source_format, large.width, large.height, renditions)


def _sniff(data: bytes) -> str:
    """Name the format from the magic bytes; a file's name or Content-Type proves nothing."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise PhotoRejected(_NOT_A_PHOTO, code="unsupported_format")


def _open(data: bytes, source_format: str, max_pixels: int) -> ImageFile.ImageFile:
    """Parse the header only, and refuse a pixel count over ``max_pixels`` before any decoding."""
    too_many = PhotoRejected(
        f"The image is too large in pixels (over {max_pixels / 1e6:g} megapixels).", code="too_many_pixels"
    )
    try:
        with _pillow_warnings():
            im = Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[source_format][:1])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_many from exc
    except _DECODE_ERRORS as exc:
        raise PhotoRejected(_DAMAGED, code="damaged") from exc
    if im.format not in _PILLOW_FORMATS[source_format]:
        im.close()
        raise PhotoRejected(_NOT_A_PHOTO, code="unsupported_format")
    if im.width * im.height > max_pixels:
        im.close()
        raise too_many
    return im


def _decode_large(im: ImageFile.ImageFile, source_format: str) -> Image.Image:
    """Decode at (at least) ``large`` size, as RGB on white, upright, with no metadata left."""
    large_edge = LARGE[0]
    if source_format == "JPEG" and max(im.size) > large_edge:
        # Stored orientation on purpose: (1600, 1200) for a 4032x3024 file, even when its
        # EXIF says "rotate". libjpeg then decodes at 1/2 scale, still >= the target.
        im.draft("RGB", _fitted_size(im.size, large_edge))
    im.load()
    transpose = _upright_transpose(im)  # after load(): a PNG's eXIf chunk may follow its pixels
    large = _fit(_flatten_to_rgb(im), large_edge, Image.Resampling.BICUBIC, reducing_gap=2.0)
    if transpose is not None:
        large = large.transpose(transpose)  # after the resize: 1600 px turn faster than 2016
    elif large is im:
        large = im.copy()  # a small RGB file decodes to itself, and the caller closes it
    large.info = {}  # or Pillow would copy a JPEG COM comment into every rendition
    return large


def _upright_transpose(im: Image.Image) -> Image.Transpose | None:
    """The EXIF (or XMP) orientation as a transpose; None if upright or unreadable."""
    try:
        with _pillow_warnings():
            orientation = im.getexif().get(ExifTags.Base.Orientation)
    except (*_DECODE_ERRORS, struct.error, TypeError):
        return None  # corrupt EXIF must not cost the user the photo: keep it as stored
    return _UPRIGHT.get(orientation) if isinstance(orientation, int) else None


@contextmanager
def _pillow_warnings() -> Iterator[None]:
    with _WARNINGS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _flatten_to_rgb(im: Image.Image) -> Image.Image:
    if im.mode.startswith("I"):  # 16-bit greyscale PNG: scale to 8 bits, convert() would clip
        im = im.convert("I").point(lambda v: v / 256).convert("L")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, _WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im if im.mode == "RGB" else im.convert("RGB")


def _fitted_size(size: tuple[int, int], edge: int) -> tuple[int, int]:
    width, height = size
    scale = edge / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _fit(
    im: Image.Image, edge: int, resample: Image.Resampling, *, reducing_gap: float | None = None
) -> Image.Image:
    """Shrink so the long edge is at most ``edge``; never enlarge."""
    if max(im.size) <= edge:
        return im
    return im.resize(_fitted_size(im.size, edge), resample, reducing_gap=reducing_gap)


def _encode(im: Image.Image, quality: int) -> Rendition:
    buf = io.BytesIO()
    # No exif=, icc_profile=, comment= or xmp=: the file carries pixels only.
    im.save(buf, "JPEG", quality=quality, optimize=True)
    data = buf.getvalue()
    return Rendition(data, im.width, im.height, hashlib.sha256(data).hexdigest())
