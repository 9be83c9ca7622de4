"""Audio, video and signed PDF samples built byte by byte (no encoder on the machine): just the headers a
reader needs to know the duration, or the signature dictionary a PDF reader looks for."""

import io
import struct


def mp3(seconds: float = 2.0) -> bytes:
    """MPEG-1 Layer III frames, 128 kbit/s, 44.1 kHz, stereo, each 417 bytes and 1152 samples long."""
    frames = round(seconds * 44100 / 1152)
    return (b"\xff\xfb\x90\x00" + b"\x00" * 413) * frames


def flac(seconds: float = 3.0, rate: int = 44100) -> bytes:
    """A FLAC stream whose STREAMINFO block gives the number of samples (the frames are not needed)."""
    samples = round(seconds * rate)
    packed = (rate << 44) | ((2 - 1) << 41) | ((16 - 1) << 36) | samples  # 20+3+5+36 bits
    info = struct.pack(">HH", 4096, 4096) + b"\x00" * 6 + packed.to_bytes(8, "big") + b"\x00" * 16
    return b"fLaC" + bytes([0x80, 0, 0, len(info)]) + info


def _atom(name: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + name + body


def mp4(seconds: float = 5.0, brand: bytes = b"isom") -> bytes:
    """An MP4 (video, no audio track) whose movie header gives the duration at a timescale of 1000."""
    mvhd = struct.pack(">I4I", 0, 0, 0, 1000, round(seconds * 1000)) + b"\x00" * 80
    ftyp = _atom(b"ftyp", brand + b"\x00\x00\x02\x00" + brand + b"mp41")
    return ftyp + _atom(b"moov", _atom(b"mvhd", mvhd))


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:  # CRC-32, polynomial 0x04C11DB7, not reflected, as Ogg defines it
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _ogg_page(packet: bytes, granule: int, sequence: int, flags: int) -> bytes:
    lacing = bytes([255] * (len(packet) // 255) + [len(packet) % 255])
    header = b"OggS" + struct.pack("<BBqIIIB", 0, flags, granule, 7, sequence, 0, len(lacing)) + lacing
    page = header + packet
    return page[:22] + struct.pack("<I", _ogg_crc(page)) + page[26:]


def opus(seconds: float = 4.0) -> bytes:
    """An Ogg Opus stream: identification and comment headers and a last page whose granule is the length."""
    pre_skip = 312
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 2, pre_skip, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 6) + b"dangan" + struct.pack("<I", 0)
    last = round(seconds * 48000) + pre_skip
    return (
        _ogg_page(head, 0, 0, 0x02)  # beginning of stream
        + _ogg_page(tags, 0, 1, 0)
        + _ogg_page(b"\xfc" + b"\x00" * 20, last, 2, 0x04)  # end of stream
    )


def signed_pdf(appended: bytes = b"") -> bytes:
    """A PDF with a signature field whose ``/ByteRange`` covers the file (the signature value is a dummy);
    ``appended`` is added after signing, as an incremental update would be, so the range no longer covers it.
    """
    from dangan.preservation.tests.samples import pdf

    base = pdf("Signed page")
    # An incremental update adds the signature (20), its field (21) and a catalogue with the form (22).
    contents = "<" + "0" * 64 + ">"
    placeholder = "[0 0000000000 0000000000 0000000000]"
    previous = int(base.rsplit(b"startxref", 1)[1].split()[0])
    out = io.BytesIO()
    out.write(base)
    offsets = {}
    offsets[20] = out.tell()
    out.write(
        (
            "20 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached"
            " /Name <FEFF5F204E09>"
            f" /M (D:20240102030405+08'00') /ByteRange {placeholder} /Contents {contents} >>\nendobj\n"
        ).encode()
    )
    offsets[21] = out.tell()
    out.write(b"21 0 obj\n<< /FT /Sig /T (Signature1) /V 20 0 R /Rect [0 0 0 0] /Type /Annot >>\nendobj\n")
    offsets[22] = out.tell()
    out.write(b"22 0 obj\n<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [21 0 R] /SigFlags 3 >> >>")
    out.write(b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 1\n0000000000 65535 f \n20 3\n")
    for number in (20, 21, 22):
        out.write(f"{offsets[number]:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size 23 /Root 22 0 R /Prev {previous} >>\nstartxref\n{xref}\n%%EOF\n".encode())
    data = out.getvalue()
    start = data.index(contents.encode())
    end = start + len(contents)
    byte_range = f"[0 {start:010d} {end:010d} {len(data) - end:010d}]"
    return data.replace(placeholder.encode(), byte_range.encode()) + appended
