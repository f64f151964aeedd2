"""Photo processing: renditions, orientation, metadata stripping and hostile uploads."""

import hashlib
import io
import struct
import warnings
import zlib

import pytest
from PIL import ExifTags, Image, ImageDraw, ImageFile, ImageOps

from inspect_app.photos.imaging import PhotoRejected, process

RED = (220, 20, 20)


def encode(im, fmt, **params):
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def png_header_only_bomb(width, height):
    """A valid 1-bit greyscale PNG of zeros: megapixels on paper, a few hundred KB on disk."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(1)
    idat = b"".join(packer.compress(row * 1000) for _ in range(height // 1000)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def rotated_jpeg():
    """4000x3000 as stored, EXIF Orientation=6 (shown portrait), with GPS, a comment and XMP.

    The stored top-left quadrant is red, so upright it must be the top-right quadrant.
    """
    im = Image.new("RGB", (4000, 3000), (128, 128, 128))
    ImageDraw.Draw(im).rectangle((0, 0, 1999, 1499), fill=RED)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "TestCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    data = encode(im, "JPEG", quality=90, exif=exif, comment=b"Ward 7, bay 3", xmp=b"<x:xmpmeta/>")
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test means something
    return data


@pytest.fixture(scope="module")
def processed(rotated_jpeg):
    return process(rotated_jpeg)


def open_rendition(processed, name):
    return Image.open(io.BytesIO(processed.renditions[name].data))


@pytest.mark.parametrize(
    ("name", "size"), [("large", (1200, 1600)), ("report", (600, 800)), ("thumb", (300, 400))]
)
def test_rotated_jpeg_renditions_are_upright_at_each_size(processed, name, size):
    rendition = processed.renditions[name]
    im = open_rendition(processed, name)
    assert im.format == "JPEG"
    assert im.size == (rendition.width, rendition.height) == size
    width, height = size
    red_corner = im.getpixel((width * 3 // 4, height // 4))
    grey_corner = im.getpixel((width // 4, height // 4))
    assert red_corner[0] > 180 and red_corner[1] < 60
    assert abs(grey_corner[0] - 128) < 10


def test_processed_photo_reports_source_and_upright_large_size(processed):
    assert (processed.source_format, processed.width, processed.height) == ("JPEG", 1200, 1600)
    assert list(processed.renditions) == ["large", "report", "thumb"]


@pytest.mark.parametrize("name", ["large", "report", "thumb"])
def test_all_metadata_including_gps_is_stripped(processed, name):
    im = open_rendition(processed, name)
    assert dict(im.getexif()) == {}
    assert not im.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "comment", "xmp", "icc_profile"} & set(im.info)
    assert b"TestCam" not in processed.renditions[name].data


@pytest.mark.parametrize("name", ["large", "report", "thumb"])
def test_sha256_is_of_the_rendition_bytes(processed, name):
    rendition = processed.renditions[name]
    assert rendition.sha256 == hashlib.sha256(rendition.data).hexdigest()


def quadrants(width=60, height=40):
    im = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(im)
    for index, colour in enumerate([(250, 0, 0), (0, 250, 0), (0, 0, 250), (250, 250, 0)]):
        x, y = index % 2 * width // 2, index // 2 * height // 2
        draw.rectangle((x, y, x + width // 2 - 1, y + height // 2 - 1), fill=colour)
    return im


def centre_colours(im):
    w, h = im.size
    return [im.getpixel((x, y)) for y in (h // 4, h * 3 // 4) for x in (w // 4, w * 3 // 4)]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillows_exif_transpose(orientation):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    data = encode(quadrants(), "PNG", exif=exif)
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    got = open_rendition(process(data), "large").convert("RGB")
    assert got.size == expected.size
    for want, have in zip(centre_colours(expected), centre_colours(got), strict=False):
        assert max(abs(a - b) for a, b in zip(want, have, strict=False)) < 30


def test_corrupt_exif_costs_neither_the_photo_nor_its_orientation():
    """EXIF whose Make tag points past the end: Pillow warns and skips it; we must do neither."""
    ifd = struct.pack("<H", 2)
    ifd += struct.pack("<HHIHH", 0x0112, 3, 1, 6, 0)  # Orientation = 6
    ifd += struct.pack("<HHII", 0x010F, 2, 1000, 0xFFFF0)  # Make: 1000 bytes, far past the end
    tiff = b"II*\0" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0)
    data = encode(quadrants(), "JPEG", exif=b"Exif\0\0" + tiff)
    result = process(data)
    assert (result.width, result.height) == (40, 60)


def test_png_alpha_is_flattened_onto_white():
    im = Image.new("RGBA", (1000, 500), (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((500, 0, 999, 499), fill=(0, 0, 255, 255))
    result = process(encode(im, "PNG"))
    assert result.source_format == "PNG"
    sizes = {name: (r.width, r.height) for name, r in result.renditions.items()}
    assert sizes == {"large": (1000, 500), "report": (800, 400), "thumb": (400, 200)}
    thumb = open_rendition(result, "thumb").convert("RGB")
    assert min(thumb.getpixel((50, 100))) > 245  # transparent -> white, not black
    blue = thumb.getpixel((350, 100))
    assert blue[2] > 220 and blue[0] < 40


def test_webp_is_accepted_and_resized_to_1600():
    result = process(encode(Image.new("RGB", (2000, 1000), (10, 120, 40)), "WEBP", quality=80))
    assert result.source_format == "WEBP"
    assert (result.width, result.height) == (1600, 800)
    assert (result.renditions["thumb"].width, result.renditions["thumb"].height) == (400, 200)


def test_small_photo_is_never_upscaled():
    result = process(encode(Image.new("RGB", (300, 200), (200, 200, 0)), "JPEG"))
    assert {(r.width, r.height) for r in result.renditions.values()} == {(300, 200)}


def test_16_bit_greyscale_png_is_scaled_not_clipped():
    result = process(encode(Image.new("I;16", (40, 30), 32768), "PNG"))
    assert abs(open_rendition(result, "large").convert("L").getpixel((5, 5)) - 128) <= 2


def hostile_cases():
    gif = encode(Image.new("P", (10, 10)), "GIF")
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    html = b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>"
    return [
        pytest.param(b"", "empty", "The file is empty", id="empty"),
        pytest.param(b"Door hinge notes\n", "unsupported_format", "not a photo", id="text-named-jpg"),
        pytest.param(svg, "unsupported_format", "not a photo", id="svg"),
        pytest.param(html, "unsupported_format", "not a photo", id="html"),
        pytest.param(gif, "unsupported_format", "not a photo", id="gif"),
        pytest.param(b"\xff\xd8\xff" + bytes(15 * 2**20), "too_large", "larger than 15 MB", id="oversized"),
        pytest.param(b"\xff\xd8\xff\xe0 not really a jpeg", "damaged", "damaged", id="jpeg-magic-garbage"),
        pytest.param(b"RIFF\0\0\0\0WEBPVP8 junk", "damaged", "damaged", id="webp-magic-garbage"),
    ]


@pytest.mark.parametrize(("data", "code", "message"), hostile_cases())
def test_hostile_upload_is_rejected_with_a_message(data, code, message):
    with pytest.raises(PhotoRejected, match=message) as caught:
        process(data)
    assert caught.value.code == code


def test_truncated_jpeg_is_rejected(rotated_jpeg):
    with pytest.raises(PhotoRejected, match="damaged or incomplete"):
        process(rotated_jpeg[: len(rotated_jpeg) // 2])


def test_png_with_a_bad_checksum_is_rejected():
    data = bytearray(encode(Image.new("RGB", (64, 64), (1, 2, 3)), "PNG"))
    data[-20] ^= 0xFF  # inside the IDAT payload, so its CRC no longer matches
    with pytest.raises(PhotoRejected, match="damaged"):
        process(bytes(data))


def test_png_cut_before_its_end_chunk_is_rejected():
    """Decoding alone would accept it: the pixels are all there, only IEND is missing."""
    data = encode(Image.new("RGB", (64, 64), (1, 2, 3)), "PNG")
    with pytest.raises(PhotoRejected, match="damaged or incomplete"):
        process(data[:-12])


@pytest.mark.parametrize(
    "size",
    [
        pytest.param((20000, 20000), id="400MP-over-pillow-error-limit"),
        pytest.param((10000, 10000), id="100MP-in-pillow-warning-range"),
    ],
)
def test_decompression_bomb_is_rejected_without_any_warning(size):
    bomb = png_header_only_bomb(*size)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")  # see everything, whatever the global filters are
        with pytest.raises(PhotoRejected, match="over 50 megapixels") as caught:
            process(bomb)
    assert caught.value.code == "too_many_pixels"
    assert seen == []


def test_pixel_limit_applies_before_decoding():
    data = encode(Image.new("RGB", (200, 100)), "PNG")
    with pytest.raises(PhotoRejected, match=r"over 0\.01 megapixels"):
        process(data, max_pixels=10_000)


def test_truncated_image_loading_must_stay_off(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError):
        process(encode(Image.new("RGB", (8, 8)), "JPEG"))
