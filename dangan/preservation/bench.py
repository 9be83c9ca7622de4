"""``dangan bench ingest``: capture and fixity throughput against the raw tools, SM3 speed, OCR per page.

Everything is written under a temporary folder (``--dir``, default the data folder) and removed afterwards;
the catalogue rows it makes (a unit, a fonds, items) are removed too. Needs free disk of about three times
``--large-count × --large-size``.
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction

GiB = 1024**3
MiB = 1024**2


def add_arguments(parser):
    parser.add_argument("--large-count", type=int, default=10)
    parser.add_argument("--large-size", type=int, default=1024, help="MiB per large file (default 1024)")
    parser.add_argument("--small-count", type=int, default=10_000)
    parser.add_argument("--small-size", type=int, default=4096, help="bytes per small file")
    parser.add_argument("--ocr-pages", type=int, default=3)
    parser.add_argument(
        "--skip", action="append", default=[], choices=["large", "small", "fixity", "sm3", "ocr"]
    )
    parser.add_argument("--dir", default=None, help="scratch folder (default: inside the data folder)")


def run(options, write):
    scratch = Path(tempfile.mkdtemp(prefix="bench-ingest-", dir=options["dir"] or settings.DATA_DIR))
    write(
        f"scratch folder {scratch} · {os.cpu_count()} cores · "
        f"{shutil.disk_usage(scratch).free / GiB:.0f} GiB free"
    )
    store = scratch / "store"
    original_storage = settings.DANGAN_STORAGE
    settings.DANGAN_STORAGE = {
        **original_storage,
        "backend": "disk",
        "root": store,
        "staging_dir": store / ".staging",
    }
    from dangan.preservation.storage import reset_storage

    reset_storage()
    world = _catalogue()
    try:
        if "large" not in options["skip"]:
            _large(scratch, world, options, write)
        if "small" not in options["skip"]:
            _small(scratch, world, options, write)
        if "fixity" not in options["skip"]:
            _fixity(scratch, write)
        if "sm3" not in options["skip"]:
            _sm3(scratch, write)
        if "ocr" not in options["skip"]:
            _ocr(options, write)
    finally:
        _remove_catalogue(world)
        settings.DANGAN_STORAGE = original_storage
        reset_storage()
        shutil.rmtree(scratch, ignore_errors=True)


# Catalogue rows for the benchmark ------------------------------------------------------------------------


def _catalogue():
    from dangan.testing import make_category, make_fonds, make_retention, make_unit

    unit = make_unit("基准测试单位", code=f"BENCH{os.getpid()}")
    return {
        "unit": unit,
        "fonds": make_fonds(unit, f"BN{os.getpid() % 100000}"),
        "category": make_category(),
        "retention": make_retention(),
        "items": [],
    }


def _items(world, count):
    from dangan.testing import make_item

    items = [make_item(world["fonds"], title=f"基准测试件 {i}", org_code="BEN") for i in range(count)]
    world["items"].extend(items)
    return items


def _remove_catalogue(world):
    from dangan.preservation.models import DigitalFile

    with transaction.atomic():
        DigitalFile.objects.filter(item__fonds=world["fonds"]).delete()
        for item in world["items"]:
            item.delete()
        world["fonds"].delete()
        world["unit"].delete()


# Large files ---------------------------------------------------------------------------------------------


def _make_file(path: Path, size: int, seed: int) -> None:
    block = os.urandom(64 * MiB)
    with open(path, "wb") as f:
        f.write(seed.to_bytes(8, "big"))  # every file different, so content addressing stores each one
        written = 8
        while written < size:
            chunk = block[: size - written]
            f.write(chunk)
            written += len(chunk)


def _drop_caches():
    # Root can ask the kernel to forget cached pages, so both runs read from disk; elsewhere this is a no-op.
    subprocess.run(["sync"], check=False)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def _large(scratch, world, options, write):
    from dangan.preservation.services import ingest_file

    count, size = options["large_count"], options["large_size"] * MiB
    source = scratch / "large"
    source.mkdir()
    write(f"\n== ingest of {count} files of {size / MiB:.0f} MiB")
    for i in range(count):
        _make_file(source / f"f{i:02d}.bin", size, i)
    files = sorted(source.iterdir())
    total = count * size

    raw_dest = scratch / "raw-copy"
    raw_dest.mkdir()
    cold = _drop_caches()
    started = time.perf_counter()
    for path in files:
        subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)
        subprocess.run(["cp", str(path), str(raw_dest / path.name)], check=True)
        subprocess.run(["sync", str(raw_dest / path.name)], check=True)  # durable, as ingest is
    raw_seconds = time.perf_counter() - started
    shutil.rmtree(raw_dest)

    items = _items(world, count)
    _drop_caches()
    started = time.perf_counter()
    for item, path in zip(items, files, strict=True):
        with open(path, "rb") as stream:
            ingest_file(item, stream, path.name)
    ingest_seconds = time.perf_counter() - started
    write(
        f"raw sha256sum + cp + sync: {raw_seconds:.1f} s ({total / MiB / raw_seconds:.0f} MiB/s)"
        f"{' from a cold cache' if cold else ''}"
    )
    write(
        f"dangan ingest (sha256 while writing, fsync, identify, commit): {ingest_seconds:.1f} s "
        f"({total / MiB / ingest_seconds:.0f} MiB/s)"
    )
    write(f"ingest speed / raw speed: {raw_seconds / ingest_seconds * 100:.0f} % (target ≥ 80 %)")
    shutil.rmtree(source)


# Small files ---------------------------------------------------------------------------------------------


def _small(scratch, world, options, write):
    from dangan.preservation.folders import ingest_folder

    count, size = options["small_count"], options["small_size"]
    per_item = 100
    source = scratch / "small"
    items = _items(world, max(1, count // per_item))
    write(f"\n== ingest of {count} small files of {size} bytes ({per_item} per item, folder ingest)")
    body = os.urandom(size)
    n = 0
    for item in items:
        folder = source / item.reference_code
        folder.mkdir(parents=True)
        for j in range(per_item):
            if n >= count:
                break
            (folder / f"{j:04d}.txt").write_bytes(n.to_bytes(8, "big") + body[8:])
            n += 1
    started, cpu_started = time.perf_counter(), time.process_time()
    result = ingest_folder(source, world["fonds"])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    write(
        f"{result.files} files in {seconds:.1f} s: {result.files / seconds:.0f} files/s "
        "(target ≥ 200 files/s)" + (f"; problems: {result.problems[:3]}" if result.problems else "")
    )
    write(
        f"{result.files / cpu:.0f} files per CPU-second of the ingesting process ({cpu:.1f} CPU s; "
        "the rest of the wall time is waiting for fsync and for other processes)"
    )
    shutil.rmtree(source)


# Fixity --------------------------------------------------------------------------------------------------


def _raw_hash_rate(paths, cpu: bool = False) -> float:
    """One thread hashing with hashlib (OpenSSL) the plainest fast way: 4 MiB reads into one reused buffer."""
    clock = time.process_time if cpu else time.perf_counter
    buffer = bytearray(4 * MiB)
    view = memoryview(buffer)
    total, started = 0, clock()
    for path in paths:
        with open(path, "rb", buffering=0) as f:
            h = hashlib.sha256()
            while n := f.readinto(buffer):
                h.update(view[:n])
                total += n
    return total / (clock() - started)


def _fixity(scratch, write):
    from dangan.preservation.fixity import audit
    from dangan.preservation.models import DigitalFile
    from dangan.preservation.storage import get_storage

    files = DigitalFile.objects.complete()
    if not files.exists():
        write("\n== fixity audit: no files (run without --skip large/small)")
        return
    storage = get_storage()
    paths = [storage.local_path(k) for k in files.values_list("storage_key", flat=True)]
    write(f"\n== fixity audit of {len(paths)} files, {sum(p.stat().st_size for p in paths) / GiB:.2f} GiB")
    # Hashing speed is what is compared, so every run reads from the page cache (the first pass warms it).
    _raw_hash_rate(paths)
    raw = _raw_hash_rate(paths)
    write(f"raw SHA-256, one thread (hashlib, 4 MiB readinto, warm cache): {raw / 1e6:.0f} MB/s")
    sample = paths[:50]
    sample_bytes = sum(p.stat().st_size for p in sample)
    for tool in (["sha256sum"], ["openssl", "dgst", "-sha256"]):
        started = time.perf_counter()
        done = subprocess.run([*tool, *map(str, sample)], capture_output=True)
        if done.returncode == 0:
            write(
                f"raw {' '.join(tool)}, one core, first {len(sample)} files: "
                f"{sample_bytes / (time.perf_counter() - started) / 1e6:.0f} MB/s"
            )
    workers = os.cpu_count() or 1
    cpu_started = time.process_time()
    raw_cpu = _raw_hash_rate(paths[: max(1, len(paths) // 10)], cpu=True)
    write(
        f"raw SHA-256 per CPU-second (load-independent): {raw_cpu / 1e6:.0f} MB/s "
        f"({time.process_time() - cpu_started:.1f} CPU s)"
    )
    report = audit(files, workers=workers)
    per_core = report.bytes / report.seconds / workers
    write(f"dangan fixity audit: {report.summary()}")
    write(
        f"per core: {per_core / 1e6:.0f} MB/s = {per_core / raw * 100:.0f} % of raw hashing per core "
        f"(target ≥ 80 %; {workers} threads on {workers} cores against one thread on one)"
    )
    cpu_rate = report.bytes / report.worker_cpu_seconds if report.worker_cpu_seconds else 0
    write(
        f"per CPU-second of the audit's hashing threads: {cpu_rate / 1e6:.0f} MB/s = "
        f"{cpu_rate / raw_cpu * 100:.0f} % of raw hashing per CPU-second "
        "(wall-clock figures above suffer from other load; this does not)"
    )
    sha = subprocess.run(["sha256sum", str(paths[0])], capture_output=True, text=True)
    write(
        f"(check: sha256sum agrees with the stored digest of one file: "
        f"{sha.stdout.split()[0] == paths[0].name})"
    )


# SM3 -----------------------------------------------------------------------------------------------------


def _sm3(scratch, write):
    from dangan.preservation import hashing

    path = scratch / "sm3.bin"
    _make_file(path, 1 * GiB, 99)
    write("\n== SM3 of 1 GiB")
    rates = {}
    for label, algo, fallback in [
        ("hashlib sha256", "sha256", False),
        ("hashlib sm3 (OpenSSL)", "sm3", False),
        ("cryptography sm3", "sm3", True),
    ]:
        saved = hashing.HAS_OPENSSL_SM3
        hashing.HAS_OPENSSL_SM3 = saved and not fallback
        started = time.perf_counter()
        hashing.digest_file(path, (algo,))
        hashing.HAS_OPENSSL_SM3 = saved
        rates[label] = GiB / (time.perf_counter() - started)
        write(f"{label}: {rates[label] / 1e6:.0f} MB/s")
    started = time.perf_counter()
    done = subprocess.run(["openssl", "dgst", "-sm3", str(path)], capture_output=True, text=True)
    if done.returncode == 0:
        openssl = GiB / (time.perf_counter() - started)
        write(
            f"openssl dgst -sm3: {openssl / 1e6:.0f} MB/s; dangan's sm3 = "
            f"{rates['hashlib sm3 (OpenSSL)'] / openssl * 100:.0f} % of it"
        )
    else:
        write(f"openssl dgst -sm3 unavailable: {done.stderr.strip()[:100]}")
    path.unlink()


# OCR -----------------------------------------------------------------------------------------------------


def _ocr(options, write):
    import io

    from PIL import Image, ImageDraw, ImageFont

    from dangan.preservation.extraction import ocr_pixels

    write(f"\n== OCR of {options['ocr_pages']} A4 pages at 200 dpi (1654 × 2339), Chinese and Latin text")
    from dangan.lib.fonts import cjk_font_path

    font_path = cjk_font_path()
    font = ImageFont.truetype(font_path, 36) if font_path else ImageFont.load_default(size=36)
    line = (
        "关于做好二〇二三年度档案归档工作的通知 Archive notice 2023"
        if font_path
        else "Archive notice 2023 line"
    )
    pages = []
    for p in range(options["ocr_pages"]):
        image = Image.new("L", (1654, 2339), 255)
        draw = ImageDraw.Draw(image)
        for row in range(40):
            draw.text((120, 150 + row * 52), f"{p + 1}-{row + 1} {line}", fill=0, font=font)
        out = io.BytesIO()
        image.save(out, "PNG", dpi=(200, 200))
        pages.append(out.getvalue())
    ocr_pixels(pages[0])  # load the models once, outside the timing
    started, cpu_started = time.perf_counter(), time.process_time()
    texts = [ocr_pixels(page) for page in pages]
    seconds = (time.perf_counter() - started) / len(pages)
    cpu = (time.process_time() - cpu_started) / len(pages)
    expected = "".join(f"{1}-{row + 1} {line}" for row in range(40)).replace(" ", "")
    got = texts[0].replace("\n", "").replace(" ", "")
    matched = sum(1 for ch in set(expected) if ch in got) / len(set(expected))
    write(
        f"{seconds:.2f} s per A4 page ({cpu:.2f} CPU-s, all threads, on {os.cpu_count()} cores); "
        f"{'with a CJK font' if font_path else 'Latin only (no CJK font here)'}; "
        f"{matched * 100:.0f} % of the distinct characters of page 1 found"
    )
