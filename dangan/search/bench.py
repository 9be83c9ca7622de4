"""``dangan bench search --items N``: a synthetic catalogue of N items with Chinese titles from archive
vocabulary, the search index built over it, query sets timed, and every query checked against a LIKE scan.

Items are inserted with ``bulk_create`` (no signals, no audit entries) so that the index build is measured
on its own. Use an empty database: ``DANGAN_DATA_DIR=$(mktemp -d)`` for SQLite, a new database for
PostgreSQL.
"""

import random
import statistics
import time

from django.db import connection, transaction
from django.db.models import Q

from dangan.catalogue.choices import ControlStatus, RecordStatus, SecurityLevel
from dangan.catalogue.models import Category, Fonds, Item, Retention
from dangan.search.backends import get_backend
from dangan.search.backends.base import Filters, SearchRequest
from dangan.search.text import parse
from dangan.search.visibility import Visibility
from dangan.units.models import Unit

ORGANS = [
    "区人民政府办公室",
    "区财政局",
    "区教育局",
    "区卫生健康局",
    "区自然资源局",
    "区住房和城乡建设局",
    "区档案局",
    "区民政局",
    "区农业农村局",
    "区应急管理局",
    "区市场监督管理局",
    "区人力资源和社会保障局",
    "城关镇人民政府",
    "柳河镇人民政府",
    "东关街道办事处",
    "区交通运输局",
    "区水利局",
    "区审计局",
]
ABBREVIATIONS = [
    "区府办发",
    "区财发",
    "区教发",
    "区卫健发",
    "区自然资发",
    "区住建发",
    "区档发",
    "区民发",
    "区农发",
    "区应急发",
    "区市监发",
    "区人社发",
    "城政发",
    "柳政发",
    "东街发",
    "区交发",
]
VERBS = [
    "做好",
    "加强",
    "开展",
    "印发",
    "进一步规范",
    "推进",
    "落实",
    "组织实施",
    "调整",
    "转发",
    "做好全区",
    "切实加强",
    "深入开展",
    "批准",
    "表彰",
]
TOPICS = [
    "档案工作",
    "安全生产",
    "防汛抗旱",
    "财政预算",
    "政府采购",
    "城乡规划",
    "土地征收",
    "脱贫攻坚",
    "乡村振兴",
    "疫情防控",
    "食品安全",
    "义务教育",
    "社会保险",
    "最低生活保障",
    "河道治理",
    "消防安全",
    "重大建设项目",
    "国有资产管理",
    "人事任免",
    "干部培训",
    "环境保护",
    "农村危房改造",
    "民生实事",
    "档案数字化",
    "森林防火",
    "安置补偿",
    "信访维稳",
    "公共卫生",
    "道路交通",
    "文明城市创建",
]
KINDS = ["工作", "专项行动", "实施方案", "管理办法", "检查", "考核", "验收", "培训", "宣传月活动", "整治"]
DOCTYPES = ["通知", "请示", "批复", "报告", "决定", "意见", "会议纪要", "函", "通报", "总结", "计划", "公告"]
REMARKS = ["", "", "", "", "原件破损，已修裱", "附件另存", "复印件", "电子文件已归档", "含照片三张"]

QUERY_SETS = {
    "1-char": [
        "档",
        "案",
        "会",
        "财",
        "规",
        "防",
        "村",
        "镇",
        "年",
        "通",
        "验",
        "卫",
        "林",
        "治",
        "纪",
        "批",
    ],
    "2-char": [
        "档案",
        "通知",
        "会议",
        "预算",
        "规划",
        "工作",
        "安全",
        "防汛",
        "土地",
        "采购",
        "扶贫",
        "报告",
        "乡村",
        "消防",
        "培训",
        "验收",
    ],
    "3-char": [
        "区财政",
        "办公室",
        "数字化",
        "实施方",
        "防汛抗",
        "纪要区",
        "档案工",
        "安全生",
        "政府采",
        "的通知",
        "人民政",
        "关于做",
    ],
    "4+-char": [
        "安全生产",
        "城乡规划",
        "会议纪要",
        "档案数字化",
        "乡村振兴",
        "防汛抗旱工作",
        "政府采购",
        "最低生活保障",
        "关于印发",
        "重大建设项目",
        "区财政局",
        "疫情防控专项行动",
    ],
    "multi-term": [
        "档案 通知",
        "安全 检查",
        "财政 预算 报告",
        "规划 批复",
        "镇 会议纪要",
        "教育 培训",
        "防汛 2019",
        "题名:档案 责任者:档案局",
        "文号:区财发 预算",
        "乡村 振兴 意见",
    ],
    "phrase": [
        '"关于做好"',
        '"的通知"',
        '"安全生产工作"',
        '"区档案局"',
        '"会议纪要"',
        '"实施方案的"',
        '"政府采购管理办法"',
        '"城关镇人民政府"',
        '"土地征收"',
        '"档案工作的"',
    ],
}
LIKE_COLUMNS = ("title", "creator", "document_number", "remarks", "reference_code", "full_text")
FIELD_COLUMN = {"title": "title", "creator": "creator", "document_number": "document_number"}


def add_arguments(parser):
    parser.add_argument("--items", type=int, default=100_000, help="catalogue size (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query per set (default 3)")
    parser.add_argument(
        "--like-queries",
        type=int,
        default=6,
        help="queries per set also run as a LIKE scan for recall (default 6; 0: all)",
    )
    parser.add_argument("--reuse", action="store_true", help="keep items already made by an earlier run")
    parser.add_argument("--seed", type=int, default=20240601)


def run(options, write):
    n, rng = options["items"], random.Random(options["seed"])
    write(f"dangan bench search: {n} items, backend {get_backend().name}, database {connection.vendor}")
    existing = Item.objects.filter(reference_code__startswith="BENCH-").count()
    if options["reuse"] and existing >= n:
        write(f"reusing {existing} items")
    else:
        if existing:
            raise SystemExit("the database already holds bench items: use --reuse, or an empty database")
        started = time.perf_counter()
        make_catalogue(n, rng, write)
        elapsed = time.perf_counter() - started
        write(f"catalogue: {n} items inserted in {elapsed:.1f} s ({n / elapsed:,.0f} items/s)")
    backend = get_backend()
    started = time.perf_counter()
    built = backend.rebuild(lambda done, total: None)
    elapsed = time.perf_counter() - started
    write(
        f"index build: {built} items in {elapsed:.1f} s = {built / elapsed:,.0f} items/s; "
        f"index size {backend.size_bytes() / 2**20:,.0f} MiB"
    )
    visibility = Visibility(security_levels=tuple(SecurityLevel.values))
    write(f"{'set':<12} {'facets':<7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'hits(avg)':>10}")
    for name, queries in QUERY_SETS.items():
        for facets in (False, True):
            times, hits = time_set(backend, queries, visibility, facets, options["repeat"])
            p50, p95, p99 = percentiles(times)
            write(
                f"{name:<12} {'yes' if facets else 'no':<7} {p50:8.1f} {p95:8.1f} {p99:8.1f} "
                f"{statistics.mean(hits):10,.0f}"
            )
    write("")
    write(f"{'set':<12} {'LIKE p50':>9} {'LIKE p95':>9} {'recall':>8} {'extra hits':>11} queries")
    for name, queries in QUERY_SETS.items():
        chosen = queries[: options["like_queries"]] if options["like_queries"] else queries
        like_times, recall, extra = compare_with_like(backend, chosen, visibility)
        p50, p95, _p99 = percentiles(like_times)
        write(f"{name:<12} {p50:9.0f} {p95:9.0f} {recall:8.2%} {extra:11d} {len(chosen)}")


def percentiles(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)

    def at(p):
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] * 1000

    return at(0.50), at(0.95), at(0.99)


def time_set(backend, queries, visibility, facets, repeat):
    times, hits = [], []
    for _round in range(repeat):
        for q in queries:
            request = SearchRequest(parse(q), visibility, Filters(), limit=20, facets=facets)
            started = time.perf_counter()
            result = backend.search(request)
            times.append(time.perf_counter() - started)
            hits.append(result.total)
    return times, hits


def compare_with_like(backend, queries, visibility):
    times, found_total, missed_total, extra_total = [], 0, 0, 0
    for q in queries:
        query = parse(q)
        started = time.perf_counter()
        expected = like_ids(query)
        times.append(time.perf_counter() - started)
        got = backend.matching_ids(query, visibility)
        found_total += len(expected)
        missed_total += len(expected - got)
        extra_total += len(got - expected)
    recall = 1.0 if not found_total else (found_total - missed_total) / found_total
    return times, recall, extra_total


def like_ids(query) -> set[int]:
    """The reference answer: a substring scan (LIKE '%q%') over the indexed columns."""
    condition = Q()
    for term in query.terms:
        text = term.text.replace("\u2423", " ")
        columns = [FIELD_COLUMN[term.field]] if term.field else LIKE_COLUMNS
        either = Q()
        for column in columns:
            either |= Q(**{f"{column}__contains": text})
        condition &= either
    return set(Item.objects.filter(condition).values_list("pk", flat=True))


# Data ------------------------------------------------------------------------------------------------------
def make_catalogue(n, rng, write, batch=5000):
    fonds, categories, retentions = reference_data()
    years = list(range(1980, 2025))
    started = time.perf_counter()
    for start in range(0, n, batch):
        items = [
            make_item(i, rng, fonds, categories, retentions, years)
            for i in range(start, min(n, start + batch))
        ]
        with transaction.atomic():
            Item.objects.bulk_create(items, batch_size=batch)
        if (start // batch) % 40 == 0:
            write(f"  inserted {start + len(items):,} ({time.perf_counter() - started:.0f} s)")


def reference_data():
    parent = Unit.objects.filter(code="BENCH").first() or Unit.objects.create(
        code="BENCH", name="基准测试区档案局", unit_type="bureau"
    )
    fonds = []
    for i, organ in enumerate(ORGANS):
        unit, _ = Unit.objects.get_or_create(
            code=f"BENCH{i:02d}", defaults={"name": organ, "unit_type": "department", "parent": parent}
        )
        f, _ = Fonds.objects.get_or_create(
            number=f"BX{i:03d}", defaults={"name": organ, "unit": unit, "custodian": unit}
        )
        fonds.append(f)
    categories = []
    for code, name in (("WS", "文书"), ("KU", "会计"), ("ZP", "照片"), ("YW", "业务")):
        category, _ = Category.objects.get_or_create(code=code, defaults={"name": name})
        categories.append(category)
    retentions = []
    for code, name, years in (("Y", "永久", None), ("D30", "定期30年", 30), ("D10", "定期10年", 10)):
        retention, _ = Retention.objects.get_or_create(code=code, defaults={"name": name, "years": years})
        retentions.append(retention)
    return fonds, categories, retentions


def make_item(i, rng, fonds, categories, retentions, years):
    f_index = rng.randrange(len(fonds))
    year = rng.choice(years)
    organ = ORGANS[f_index]
    title = f"{organ}关于{rng.choice(VERBS)}{rng.choice(TOPICS)}{rng.choice(KINDS)}的{rng.choice(DOCTYPES)}"
    if rng.random() < 0.2:
        title += f"（{rng.choice(TOPICS)}）"
    return Item(
        fonds=fonds[f_index],
        category=rng.choice(categories),
        retention=rng.choice(retentions),
        year=year,
        number=i + 1,
        reference_code=f"BENCH-{i + 1:07d}",
        title=title,
        creator=organ,
        document_number=f"{ABBREVIATIONS[f_index % len(ABBREVIATIONS)]}〔{year}〕{rng.randint(1, 300)}号",
        security_level=rng.choice(
            [SecurityLevel.PUBLIC] * 6 + [SecurityLevel.INTERNAL] * 3 + [SecurityLevel.SECRET]
        ),
        control=rng.choice([ControlStatus.OPEN, ControlStatus.CONTROLLED]),
        status=RecordStatus.FILED,
        remarks=rng.choice(REMARKS),
        extra={},
        date=None if rng.random() < 0.1 else _date(rng, year),
    )


def _date(rng, year):
    import datetime

    return datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
