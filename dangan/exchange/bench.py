"""``dangan bench import --rows N``: a realistic catalogue of N rows written as CSV (and a smaller .xlsx),
imported into an empty fonds through the same path as the web UI and the CLI, with timings and peak memory.

"Stored and searchable" is checked at the end: every row is an item, the search outbox is empty, and a title
from the last row is found by the search service. Use an empty database (``DANGAN_DATA_DIR=$(mktemp -d)`` for
SQLite, a new database for PostgreSQL).
"""

import csv
import itertools
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from django.db import connection

from dangan.accounts.choices import Role
from dangan.catalogue.models import Category, Fonds, Item, Retention
from dangan.core.choices import SecurityLevel
from dangan.core.context import Actor, acting_as
from dangan.exchange.importer import import_catalogue
from dangan.lib import cpu

ORGS = [
    ("BGS", "区政府办公室", "区府办发"),
    ("CZJ", "区财政局", "区财发"),
    ("JYJ", "区教育局", "区教发"),
    ("WJJ", "区卫生健康局", "区卫健发"),
    ("ZRJ", "区自然资源局", "区自然资发"),
    ("MZJ", "区民政局", "区民发"),
    ("RSJ", "区人力资源和社会保障局", "区人社发"),
    ("SJJ", "区审计局", "区审发"),
]
SUBJECTS = [
    "年度档案工作",
    "安全生产检查",
    "财政预算执行情况",
    "义务教育均衡发展",
    "城乡低保资金发放",
    "耕地保护目标责任",
    "干部任免",
    "重大建设项目验收",
    "防汛抗旱工作",
    "营商环境优化",
    "乡村振兴",
    "疫情防控物资采购",
    "审计整改",
    "社会保险基金管理",
    "政府信息公开",
    "网格化社会治理",
]
KINDS = [
    "关于{s}的通知",
    "关于{s}的请示",
    "关于{s}的批复",
    "关于印发{s}实施方案的通知",
    "关于{s}情况的报告",
    "{s}会议纪要",
    "关于{s}的意见",
]
# Before 2006 (国家档案局令第8号) periods were 永久/长期/短期; old catalogues still carry them.
RETENTIONS_BEFORE_2006 = [("永久", "Y"), ("长期", "D30"), ("短期", "D10")]
RETENTIONS = [("永久", "Y"), ("定期30年", "D30"), ("定期10年", "D10")]
HEADER = [
    "序号",
    "档号",
    "文号",
    "责任者",
    "题名",
    "日期",
    "页数",
    "密级",
    "保管期限",
    "机构（问题）",
    "备注",
]


def add_arguments(parser):
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the CSV catalogue")
    parser.add_argument("--xlsx-rows", type=int, default=50_000, help="rows of the .xlsx run (0: none)")
    parser.add_argument("--fonds", default="BNCH", help="全宗号 of the fonds created for the run")


def generate(rows: int, seed: int = 7):
    """Rows in arrangement order: by year, retention, organisation, then number; reference codes filled in."""
    rng = random.Random(seed)
    years = list(range(2000, 2024))
    per_class = -(-rows // (len(years) * len(RETENTIONS) * len(ORGS)))
    sequence = 0
    for year in years:
        for retention, code in RETENTIONS_BEFORE_2006 if year < 2006 else RETENTIONS:
            for org, creator, prefix in ORGS:
                for number in range(1, per_class + 1):
                    if sequence >= rows:
                        return
                    sequence += 1
                    yield _row(rng, sequence, year, retention, code, org, creator, prefix, number)


def _row(rng, sequence, year, retention, code, org, creator, prefix, number):
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    title = rng.choice(KINDS).format(s=rng.choice(SUBJECTS))
    return [
        sequence,
        f"{{fonds}}-WS·{year}-{code}-{org}-{number:04d}",
        f"{prefix}〔{year}〕{number}号",
        creator,
        title,
        f"{year}{month:02d}{day:02d}",
        rng.randint(1, 40),
        "公开",
        retention,
        org,
        "" if rng.random() > 0.05 else "复印件",
    ]


def write_csv(path: Path, rows: int, fonds: str, *, start: int = 0, of: int | None = None) -> None:
    """``rows`` rows of the catalogue ``generate(of)`` makes (``of`` rows; ``rows`` by default), from row
    ``start`` on: a slice keeps the larger catalogue's few classes of codes per chunk (a small catalogue
    spreads its rows over the same classes, so each chunk spans many more)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in itertools.islice(generate(of or rows), start, start + rows):
            row[1] = row[1].replace("{fonds}", fonds)
            writer.writerow(row)


def write_xlsx(path: Path, rows: int, fonds: str) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("归档文件目录")
    sheet.append(HEADER)
    for row in generate(rows, seed=11):
        row[1] = row[1].replace("{fonds}", fonds)
        sheet.append(row)
    book.save(path)


def peak_mib() -> float:
    """This process's peak, plus the largest finished child's (the search indexer runs beside the import)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def cpu_seconds() -> float:
    """CPU time of this process (all threads) and its finished children: on a shared machine it tells the
    work apart from the waiting."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def run(options, write):
    from dangan.accounts.models import User
    from dangan.testing import make_fonds, make_unit

    rows, number = options["rows"], options["fonds"]
    unit = make_unit("区档案局（基准测试）", "bureau")
    user = User.objects.create(
        username=f"bench-import-{unit.pk}",
        role=Role.BUREAU_ADMIN,
        unit=unit,
        clearance=SecurityLevel.TOP_SECRET,
    )
    category = Category.objects.get(code="WS")
    Retention.objects.get(code="CQ")  # the legacy periods the catalogue uses (default code tables)
    write(f"database: {connection.vendor}; rows: {rows:,}")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for kind, count, writer, fonds_number in (
            ("csv", rows, write_csv, number),
            ("xlsx", options["xlsx_rows"], write_xlsx, f"{number[:3]}X"),
        ):
            if not count:
                continue
            fonds = Fonds.objects.filter(number=fonds_number).first() or make_fonds(unit, fonds_number)
            path = folder / f"catalogue.{kind}"
            started = time.perf_counter()
            writer(path, count, fonds.number)
            write(
                f"{kind}: generated {count:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
                f"{time.perf_counter() - started:.1f} s"
            )
            _import(path, fonds, category, user, count, write)


def _reporter(write, started, total):
    """Throughput and memory every tenth of the file, so a long run shows its pace before it ends."""
    step = max(1000, total // 10 // 1000 * 1000)
    marks = {"next": step}

    def progress(done, _total):
        if done >= marks["next"] and done < total:
            marks["next"] += step
            elapsed = time.perf_counter() - started
            rate = done / elapsed
            write(f"    {done:,} rows read in {elapsed:.0f} s ({rate:,.0f} rows/s), {peak_mib():,.0f} MiB")

    return progress


# The processes an import works through, in the order the benchmark names them.
ROLES = IMPORTER, PARSING, SEARCH, SERVER, SHARED_SERVER = (
    "importer", "parsing child", "search child", "database server", "database server, shared"
)
# PostgreSQL's own processes (as they name themselves) that work for every database, the benchmark's too.
SHARED_SERVER_PROCESSES = ("checkpointer", "background writer", "walwriter", "autovacuum")


def import_roles() -> cpu.Role:
    """Which processes an import works through: this one, its children (told apart by the code they run)
    and, with PostgreSQL on this machine, the server processes of the benchmark's database and the server's
    shared ones (WAL writer, checkpointer, autovacuum)."""
    from dangan.exchange import parsing
    from dangan.search.backends import postgres_bulk, tantivy_bulk

    importer = os.getpid()
    database = connection.settings_dict["NAME"] if connection.vendor == "postgresql" else None
    searching = (postgres_bulk.CHILD, tantivy_bulk.CHILD)  # each child's command line: python -c CHILD …

    def role(pid: int, parent: int, command: str) -> str | None:
        if pid == importer:
            return IMPORTER
        if parent == importer and parsing.CHILD in command:
            return PARSING
        if parent == importer and any(code in command for code in searching):
            return SEARCH
        if database and command.startswith("postgres: "):
            if any(name in command for name in SHARED_SERVER_PROCESSES):
                return SHARED_SERVER
            if f" {database} " in f"{command} ":
                return SERVER
        return None

    return role


def _import(path, fonds, category, user, count, write):
    from dangan.search import services as search
    from dangan.search.models import IndexOutbox

    before = Item.objects.filter(fonds=fonds).count()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    with acting_as(Actor(user.pk, user.username)), cpu.CpuSampler(import_roles()) as sampler:
        outcome = import_catalogue(
            path, fonds=fonds, category=category, user=user, progress=_reporter(write, started, count)
        )
    elapsed, cpu_used = time.perf_counter() - started, cpu_seconds() - cpu_started
    if not outcome.ok:
        write(f"  FAILED: {outcome.fatal or outcome.errors[:5]}")
        return
    stored = Item.objects.filter(fonds=fonds).count() - before
    last = Item.objects.filter(fonds=fonds).order_by("-pk").first()
    results = search.search(user, last.reference_code, {"fonds": str(fonds.pk)}, per_page=100, facets=False)
    searchable = any(hit.item.pk == last.pk for hit in results.hits) and not IndexOutbox.objects.exists()
    write(
        f"  {path.suffix[1:]}: {count:,} rows in {elapsed:.1f} s = {count / elapsed:,.0f} rows/s; "
        f"(CPU {cpu_used:.1f} s = {count / cpu_used:,.0f} rows per CPU-second); stored {stored:,}; "
        f"searchable: {'yes' if searchable else 'NO'}; peak memory so far "
        f"{peak_mib():,.0f} MiB (ru_maxrss, with the indexer's)"
    )
    if sampler.split.by_role:
        write(f"    CPU-s by process (/proc, every {cpu.INTERVAL} s): {sampler.split.describe(ROLES)}")
    for notice in outcome.notices:
        write(f"  {notice}")
