"""The demo district (清河区): a bureau and the units it supervises, with a few thousand catalogue records.

Everything is generated from small vocabulary lists with a fixed random seed, so every demo looks the same.
It goes through the same rules as real work: units are merged and abolished by the units services, items
are filed by ``file_items_in_bulk`` (validated, numbered gaplessly, audited), volumes by ``save()``.
"""

import datetime
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from dangan.access.demo import add_utilisation
from dangan.accounts.choices import Role
from dangan.accounts.models import User
from dangan.catalogue.choices import ControlStatus, SecurityLevel
from dangan.catalogue.defaults import install_defaults
from dangan.catalogue.models import (
    Category,
    Fonds,
    Item,
    Retention,
    ScheduleEntry,
    Volume,
    suggest_retention,
)
from dangan.catalogue.services import file_items_in_bulk
from dangan.core.context import Actor, acting_as
from dangan.lib.idnumbers import id_check_digit
from dangan.units.choices import Employment, UnitType
from dangan.units.models import Archivist, Group, Unit
from dangan.units.services import abolish_unit, merge_units

BUREAU_CODE = "QHDAJ"
PASSWORD = "dangan-demo"
SEED = 20240609  # 国际档案日
FIRST_YEAR, LAST_YEAR = 2005, 2025
DISTRICT, CITY = "清河区", "滨江市"
MERGER_DATE = datetime.date(2019, 12, 31)
ABOLITION_DATE = datetime.date(2021, 12, 31)


@dataclass
class UnitSpec:
    code: str
    name: str
    short: str
    unit_type: str
    parent: str | None
    fonds: str
    prefix: str = ""  # of the unit's own document numbers (发文字号), e.g. 清财发
    orgs: tuple[str, ...] = ("BGS",)
    subjects: tuple = ()
    years: tuple[int, int] = (FIRST_YEAR, LAST_YEAR)
    weight: int = 10
    group: str = ""
    # The body above: its name, and the prefixes of its notices and of its replies (批复).
    upper: tuple[str, str, str] = (f"{DISTRICT}人民政府", "清政发", "清政复")
    meetings: tuple[str, ...] = ("党组会议", "局长办公会议")
    address: str = ""
    unit: Unit | None = field(default=None, repr=False)


def subjects(text: str) -> tuple[tuple[str, int | None, int | None], ...]:
    """Parse "安全生产 脱贫攻坚@2015-2020 乡村振兴@2018-": subjects, with the years they were current."""
    parsed = []
    for word in text.split():
        name, _at, years = word.partition("@")
        start, _dash, end = years.partition("-")
        parsed.append((name, int(start) if start else None, int(end) if end else None))
    return tuple(parsed)


COMMON_SUBJECTS = subjects(
    "安全生产 防汛抗旱 档案工作 党风廉政建设 保密工作 信访稳定 精神文明建设 平安建设 "
    "社会主义新农村建设@2005-2012 创先争优活动@2010-2012 党的群众路线教育实践活动@2013-2014 "
    "“两学一做”学习教育@2016-2017 脱贫攻坚@2015-2020 "
    "扫黑除恶专项斗争@2018-2020 “不忘初心、牢记使命”主题教育@2019-2019 新冠肺炎疫情防控@2020-2022 "
    "党史学习教育@2021-2021 优化营商环境@2018- 乡村振兴@2018- 全国文明城市创建@2015-"
)
TOWN_SUBJECTS = subjects(
    "农村人居环境整治@2018- 秸秆禁烧 村（社区）两委换届选举 土地承包经营权确权登记@2014-2018 "
    "农村最低生活保障 "
    "征地拆迁 美丽乡村建设@2013- 河长制@2017- 森林防火 农业保险 新型农村合作医疗@2005-2016 财政预算"
)
VILLAGE_SUBJECTS = subjects(
    "村民委员会换届选举 土地承包 人居环境整治@2018- 低保评议 一事一议筹资筹劳@2008- 村务公开 宅基地审批 "
    "集体资产清产核资@2017- 防汛"
)


def _spec(code, name, short, unit_type, parent, fonds, **kwargs) -> UnitSpec:
    return UnitSpec(code, name, short, unit_type, parent, fonds, **kwargs)


G1, G2, G3 = "第一协作组（党政机关）", "第二协作组（乡镇街道）", "第三协作组（企业和重大项目）"
UNITS = [
    _spec(BUREAU_CODE, f"{DISTRICT}档案局", "区档案局", UnitType.BUREAU, None, "0101", prefix="清档发",
          orgs=("BGS", "YWK", "JDK"), weight=6, address="清河区人民路 18 号", subjects=subjects(
              "档案执法检查 机关档案工作年度检查 档案业务培训 馆藏档案数字化@2012- 国际档案日宣传 "
              "档案接收进馆 开放档案审核@2021-")),
    _spec("QHZFB", f"{DISTRICT}人民政府办公室", "区政府办公室", UnitType.DEPARTMENT, BUREAU_CODE, "0102",
          prefix="清政办发", orgs=("BGS", "MSK", "DCK"), group=G1, address="清河区人民路 1 号",
          meetings=("区政府常务会议", "区长办公会议"),
          upper=(f"{CITY}人民政府办公室", "滨政办发", "滨政办复"), subjects=subjects(
              "政务公开 政府信息公开@2008- 督查督办 电子政务 12345政务服务便民热线@2016- 应急值守")),
    _spec("QHCZJ", f"{DISTRICT}财政局", "区财政局", UnitType.DEPARTMENT, BUREAU_CODE, "0103", prefix="清财发",
          orgs=("BGS", "YSK", "GKK", "CWK"), group=G1, address="清河区建设路 26 号", subjects=subjects(
              "部门预算编制 政府采购 国库集中支付 国有资产管理 财政专项资金 非税收入管理 "
              "地方政府债务管理@2015-")),
    _spec("QHJYJ", f"{DISTRICT}教育局", "区教育局", UnitType.DEPARTMENT, BUREAU_CODE, "0104", prefix="清教发",
          orgs=("BGS", "JJK", "RSK"), group=G1, address="清河区文昌路 9 号", subjects=subjects(
              "中小学招生 教师招聘 校舍安全 义务教育均衡发展@2012- 学生资助 校园安全 "
              "“双减”工作@2021- 教育信息化")),
    _spec("QHMZJ", f"{DISTRICT}民政局", "区民政局", UnitType.DEPARTMENT, BUREAU_CODE, "0105", prefix="清民发",
          orgs=("BGS", "SWK", "JZK"), group=G1, address="清河区和平路 33 号", subjects=subjects(
              "城乡最低生活保障 特困人员救助供养 养老服务 婚姻登记 社会组织管理 殡葬改革 临时救助 地名管理")),
    _spec("QHWJJ", f"{DISTRICT}卫生健康局", "区卫健局", UnitType.DEPARTMENT, BUREAU_CODE, "0106",
          prefix="清卫健发", orgs=("BGS", "YZK", "JKK"), group=G1, address="清河区健康路 5 号",
          subjects=subjects("基本公共卫生服务 家庭医生签约服务@2016- 医疗机构管理 爱国卫生运动 "
                            "区人民医院新院区建设@2019-")),
    _spec("QHCTJT", f"{DISTRICT}城市建设投资集团有限公司", "区城投集团", UnitType.ENTERPRISE, BUREAU_CODE,
          "0107", prefix="清城投发", orgs=("ZHB", "CWB", "GCB"), years=(2010, LAST_YEAR), weight=6, group=G3,
          meetings=("董事会会议", "总经理办公会议"), upper=(f"{DISTRICT}财政局", "清财发", "清财复"),
          address="清河区滨河大道 66 号", subjects=subjects(
              "城市基础设施建设 融资 国有资产保值增值 安全生产标准化 工程招标 安置房建设@2012-")),
    _spec("QHRPB", f"{DISTRICT}第七次全国人口普查领导小组办公室", "区人口普查办", UnitType.TEMPORARY,
          BUREAU_CODE, "0108", prefix="清人普办发", years=(2019, 2021), weight=2, group=G1,
          meetings=("领导小组会议",), subjects=subjects(
              "第七次全国人口普查@2019-2021 普查员选聘培训@2019-2020 普查登记@2020-2020 "
              "普查数据质量抽查@2020-2021 人口普查宣传@2019-2020")),
    _spec("QHRMYY", f"{DISTRICT}人民医院新院区建设项目", "医院新院区项目", UnitType.PROJECT, "QHWJJ", "0109",
          prefix="院建发", orgs=("GCB",), years=(2019, 2024), weight=2, group=G3,
          meetings=("建设领导小组会议",),
          upper=(f"{DISTRICT}发展和改革局", "清发改发", "清发改复"), subjects=subjects(
              "新院区建设@2019-2024 工程质量安全@2020-2024 工程进度@2020-2024 建设资金拨付@2020-2024")),
    _spec("CGZ", "城关镇", "城关镇", UnitType.TOWN, BUREAU_CODE, "0201", prefix="城政发",
          orgs=("DZB", "CZS", "SHB"), weight=8, group=G2, meetings=("党委会议", "镇长办公会议"),
          subjects=TOWN_SUBJECTS, address="清河区城关镇府前街 2 号"),
    _spec("LHZ", "柳河镇", "柳河镇", UnitType.TOWN, BUREAU_CODE, "0202", prefix="柳政发",
          orgs=("DZB", "CZS", "NYB"), weight=8, group=G2, meetings=("党委会议", "镇长办公会议"),
          subjects=TOWN_SUBJECTS, address="清河区柳河镇柳河大街 88 号"),
    _spec("YZX", "杨庄乡", "杨庄乡", UnitType.TOWN, BUREAU_CODE, "0203", prefix="杨政发", orgs=("DZB", "CZS"),
          years=(FIRST_YEAR, MERGER_DATE.year), weight=5, group=G2, meetings=("党委会议", "乡长办公会议"),
          subjects=TOWN_SUBJECTS, address="清河区杨庄乡杨庄村"),
]
VILLAGES = [
    ("CGZ01", "东关社区", "CGZ"), ("CGZ02", "西关社区", "CGZ"), ("CGZ03", "南街村", "CGZ"),
    ("CGZ04", "北街村", "CGZ"), ("LHZ01", "柳河村", "LHZ"), ("LHZ02", "前营村", "LHZ"),
    ("LHZ03", "后营村", "LHZ"),
    ("YZX01", "杨庄村", "YZX"), ("YZX02", "李家庄村", "YZX"), ("YZX03", "王家庄村", "YZX"),
]
_TOWNS = {spec.code: spec for spec in UNITS if spec.unit_type == UnitType.TOWN}
for _n, (_code, _name, _town) in enumerate(VILLAGES, start=1):
    _prefix = _TOWNS[_town].prefix
    UNITS.append(_spec(
        _code, _name, _name, UnitType.VILLAGE, _town, f"03{_n:02d}", orgs=("CWH", "DZB"), weight=2, group=G2,
        meetings=("村民代表会议", "村两委联席会议"), subjects=VILLAGE_SUBJECTS,
        upper=(f"{_TOWNS[_town].name}人民政府", _prefix, _prefix.replace("发", "复")),
    ))


def committee(name: str) -> str:
    """The body that signs a village's or community's records."""
    if name.endswith("社区"):
        return f"{name}居民委员会"
    return f"{name}民委员会" if name.endswith("村") else name


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋"
MALE_NAMES = "建国 志强 伟 军 海涛 明 国庆 永刚 振华 立新 超 磊 宏伟 小龙 德胜 家豪 鹏 俊杰 文博 子轩".split()
FEMALE_NAMES = "红梅 秀英 丽娟 静 敏 艳 桂兰 春燕 海燕 雪梅 婷 晓丽 佳怡 欣怡 梦琪 雨涵 丹 玉兰 芳 慧".split()
POSITIONS = "办公室主任 办公室副主任 档案管理员 综合科科员 党政办科员 文书 报账员 村委会委员 会计".split()
ID_AREAS = ("370302", "370303", "370304", "370321")
EVENTS = ("防汛抢险应急演练现场 国际档案日宣传活动 档案工作会议 人居环境整治前后对比 "
          "村民委员会换届选举投票现场 领导调研检查 重点项目集中开工仪式 全民健身运动会 志愿服务活动 "
          "表彰大会").split()
VOUCHER_SUMMARIES = ("支付办公用品购置费 报销差旅费 拨付村级组织运转经费 缴纳职工社会保险费 支付物业管理费 "
                     "收到上级转移支付资金 发放工资 支付公务用车运行维护费 支付印刷费 收到非税收入").split()
DRAWINGS = ("图纸目录 设计总说明 总平面图 一层平面图 二层平面图 三层平面图 标准层平面图 屋面平面图 "
            "①—⑩轴立面图 ⑩—①轴立面图 1—1剖面图 楼梯详图 门窗表及门窗详图 墙身大样图 节点详图").split()
PROJECT_VOLUMES = (  # year, title, item titles (None: drawings)
    (2019, "项目建议书及批复", ("项目建议书", "关于项目建议书的批复", "专家评审意见")),
    (2019, "可行性研究报告及批复", ("可行性研究报告", "关于可行性研究报告的批复", "节能评估报告")),
    (2019, "建设用地规划许可证及附件", ("建设用地规划许可证", "规划设计条件", "用地红线图")),
    (2020, "环境影响报告表及批复", ("环境影响报告表", "环境影响报告表的批复")),
    (2020, "岩土工程勘察报告", ("岩土工程勘察报告", "勘察报告审查意见")),
    (2020, "初步设计文件及审查意见", ("初步设计说明书", "初步设计审查意见", "设计概算")),
    (2020, "施工图（门诊医技楼·建筑）", None),
    (2020, "施工图（住院楼·结构）", None),
    (2020, "施工总承包招标文件及中标通知书", ("招标文件", "投标文件", "评标报告", "中标通知书")),
    (2020, "勘察、设计、施工、监理合同", ("勘察合同", "设计合同", "施工总承包合同", "监理合同")),
    (2021, "施工组织设计及专项施工方案",
     ("施工组织设计", "深基坑专项施工方案", "高大模板专项施工方案", "技术交底记录")),
    (2021, "门诊医技楼地基与基础分部工程质量验收记录",
     ("地基验槽记录", "桩基检测报告", "分部工程质量验收记录")),
    (2022, "主体结构隐蔽工程验收记录",
     ("钢筋隐蔽工程验收记录", "预埋管线隐蔽工程验收记录", "分项工程质量验收记录")),
    (2022, "钢筋、水泥进场检验报告",
     ("钢筋出厂合格证", "钢筋进场检验报告", "水泥检测报告", "混凝土试块检测报告")),
    (2022, "监理规划、监理实施细则及监理月报", ("监理规划", "监理实施细则", "监理月报")),
    (2024, "竣工图（门诊医技楼·建筑）", None),
    (2024, "竣工验收报告及备案文件",
     ("竣工验收报告", "工程质量评估报告", "消防专项验收意见", "竣工验收备案表")),
    (2024, "工程结算、竣工财务决算及审计报告", ("工程结算书", "竣工财务决算报告", "决算审计报告")),
)
# weight, title pattern, creator (the unit itself or the body above), which document-number series
OFFICE_KINDS = (
    (18, "关于{verb}{year}年{work}的通知", "own", "own"),
    (6, "关于印发《{district}{subject}实施方案》的通知", "own", "own"),
    (8, "关于{subject}有关问题的请示", "own", "own"),
    (6, "关于同意{short}{subject}有关事项的批复", "upper", "replies"),
    (10, "{meeting}纪要（{year}年第{n}期）", "own", ""),
    (6, "{short}{year}年工作总结", "own", ""),
    (5, "{short}{year}年工作计划", "own", ""),
    (6, "关于{year}年{work}情况的报告", "own", "own"),
    (8, "关于{urge}{work}的通知", "upper", "issues"),
    (3, "关于转发{city}{subject}有关文件的通知", "own", "own"),
    (3, "关于表彰{year}年度{subject}先进集体和先进个人的决定", "own", "own"),
    (3, "{subject}{service}合同", "own", ""),
    (3, "{short}{year}年度{budget}", "own", ""),
    (2, "关于{person}等同志任免职务的通知", "own", "own"),
    (2, "{short}{year}年大事记", "own", ""),
    (4, "关于{year}年{subject}督查情况的通报", "own", "own"),
)
VILLAGE_KINDS = (
    (10, "{name}{year}年第{quarter}季度村务公开", "own", ""),
    (10, "{name}村民代表会议记录（{year}年第{n}次）", "own", ""),
    (6, "{name}村两委联席会议记录（{year}年第{n}次）", "own", ""),
    (5, "关于{subject}的村民代表会议决议", "own", ""),
    (8, "关于{urge}{work}的通知", "upper", "issues"),
    (5, "关于{subject}有关问题的请示", "own", ""),
    (4, "关于同意{name}{subject}有关事项的批复", "upper", "replies"),
    (4, "{name}{year}年工作{plan}", "own", ""),
    (3, "{name}集体{asset}租赁合同", "own", ""),
)
ELECTION_KIND = "{name}第{term}届村民委员会换届选举结果报告"
ELECTION_YEARS = (2005, 2008, 2011, 2014, 2017, 2021, 2026)  # three-year terms, five since 2018
# A community (社区) has residents' bodies where a village has villagers'.
COMMUNITY_WORDS = (("村民代表", "居民代表"), ("村民委员会", "居民委员会"), ("村两委", "两委"),
                   ("村务", "居务"))
VERBS = ("做好", "开展", "加强", "进一步做好")
URGES = ("认真做好", "切实加强", "扎实推进")
SERVICES = ("服务", "采购", "委托")
BUDGETS = ("部门预算", "财务决算报告")
ACCOUNTING_UNITS = ("QHCZJ", "CGZ", "LHZ", "QHCTJT")

# How the catalogue is spread over kinds of record; the rest are 文书 items.
SHARES = {"KJ": 0.06, "KU": 0.08, "ZP": 0.03, "LY": 0.005, "LX": 0.005, "SW": 0.004, "HY": 0.02, "TD": 0.02}
FALLBACK_RETENTION = {"WS": "D10", "ZP": "Y", "LY": "D30", "LX": "Y", "SW": "Y", "HY": "Y", "TD": "Y"}


@dataclass
class DemoSummary:
    units: int
    fonds: int
    volumes: int
    items: int
    seconds: float
    users: list[tuple[str, str, str]]


def load_demo(items: int = 3000, stdout=None) -> DemoSummary | None:
    """Load the demo district in one transaction, unless its bureau is already there (then return None)."""
    # Django's OutputWrapper adds no second newline, a plain stream needs the one given here.
    say = (lambda text: stdout.write(f"{text}\n")) if stdout is not None else (lambda text: None)
    if Unit.objects.filter(code=BUREAU_CODE).exists():
        say(_("示范区数据已存在（单位代码 %(code)s），未重复加载。") % {"code": BUREAU_CODE})
        return None
    started = time.monotonic()
    say(_("正在加载示范区数据（约 %(n)d 件档案）……") % {"n": items})
    with acting_as(Actor(None, "cli:demo")), transaction.atomic():
        builder = _Builder(random.Random(SEED), items)
        summary = builder.build(say)
    summary.seconds = time.monotonic() - started
    say(_("示范区加载完成：%(units)d 个单位、%(fonds)d 个全宗、%(volumes)d 个案卷、%(items)d 件档案，"
          "用时 %(s).1f 秒。")
        % {"units": summary.units, "fonds": summary.fonds, "volumes": summary.volumes, "items": summary.items,
           "s": summary.seconds})
    say(_("演示账号（密码均为 %(password)s）：") % {"password": PASSWORD})
    for username, role, where in summary.users:
        say(f"  {username:<12} {role}  {where}")
    return summary


class _Builder:
    def __init__(self, rng: random.Random, total: int):
        self.rng = rng
        self.total = total
        self.today = datetime.date.today()
        self.last_year = min(LAST_YEAR, self.today.year)
        self.specs = {spec.code: spec for spec in UNITS}
        self.doc_numbers: dict[tuple[str, int], int] = {}
        self.retention_cache: dict[tuple, Retention] = {}
        self.items: list[Item] = []
        self.volumes = 0
        self.fonds: dict[str, Fonds] = {}

    def build(self, say) -> DemoSummary:
        install_defaults()
        self.categories = {c.code: c for c in Category.objects.all()}
        self.retentions = {r.code: r for r in Retention.objects.all()}
        self.schedule_keywords: dict[str, set[str]] = {}
        for entry in ScheduleEntry.objects.select_related("schedule"):
            self.schedule_keywords.setdefault(entry.schedule.unit_type, set()).update(entry.keyword_list())
        self.create_units()
        self.create_archivists()
        self.create_fonds()
        say(_("  单位、档案员和全宗已建立"))
        self.add_volumes()
        self.add_items()
        self.items.sort(key=lambda i: (i.fonds.number, i.category.code, i.volume_id or 0, i.date))
        file_items_in_bulk(self.items)
        say(_("  已归档 %(n)d 件") % {"n": len(self.items)})
        self.reorganise()
        users = self.create_users()
        used = add_utilisation(self.rng)
        say(_("  利用登记：%(readers)d 位利用者、%(requests)d 份申请、%(loans)d 次借出、"
              "%(certificates)d 份档案证明") % vars(used))
        return DemoSummary(units=len(self.specs), fonds=len(self.fonds), volumes=self.volumes,
                           items=len(self.items), seconds=0.0, users=users)

    # Units, people and fonds ----------------------------------------------------------------------
    def create_units(self) -> None:
        groups = {name: Group.objects.create(name=name, description=_("年度检查中互查互评"))
                  for name in (G1, G2, G3)}
        for spec in UNITS:
            parent = self.specs[spec.parent].unit if spec.parent else None
            spec.unit = Unit(code=spec.code, name=spec.name, short_name=spec.short, unit_type=spec.unit_type,
                             parent=parent, group=groups.get(spec.group), address=spec.address)
            spec.unit.full_clean()
            spec.unit.save()

    def create_archivists(self) -> None:
        for spec in UNITS:
            full_time = spec.unit_type in (UnitType.BUREAU, UnitType.DEPARTMENT, UnitType.ENTERPRISE)
            year = self.rng.randint(max(spec.years[0], 2015), spec.years[1])
            since = datetime.date(year, self.rng.randint(1, 12), 1)
            if self.rng.random() < 0.5 and since.year > spec.years[0] + 1:
                # Part-time archivists change every year or two; keep the one before, too.
                before = datetime.date(since.year - 2, 3, 1)
                self.archivist(spec, before, since - datetime.timedelta(days=1), False)
            until = datetime.date(spec.years[1], 12, 31) if spec.code in ("YZX", "QHRPB") else None
            self.archivist(spec, since, until, full_time)

    def archivist(self, spec, since, until, full_time) -> None:
        Archivist.objects.create(
            unit=spec.unit, name=self.person_name(), since=since, until=until,
            employment=Employment.FULL_TIME if full_time else Employment.PART_TIME,
            position=self.rng.choice(POSITIONS), phone=self.phone(),
            trained=self.rng.random() < 0.6,
        )

    def create_fonds(self) -> None:
        for spec in UNITS:
            self.fonds[spec.code] = Fonds.objects.create(
                number=spec.fonds, name=spec.name, unit=spec.unit, custodian=spec.unit,
                start_year=spec.years[0],
                description=_("%(name)s在履行职能过程中形成的档案") % {"name": spec.name},
            )

    def create_users(self) -> list[tuple[str, str, str]]:
        bureau, town, other = self.specs[BUREAU_CODE].unit, self.specs["CGZ"].unit, self.specs["LHZ"].unit
        # One hash for all: PBKDF2 is slow on purpose, and the demo accounts share the one published password.
        password = make_password(PASSWORD)
        people = [
            ("staff", Role.BUREAU_STAFF, bureau, SecurityLevel.INTERNAL, "周", "建华"),
            ("archivist", Role.UNIT_ARCHIVIST, town, SecurityLevel.INTERNAL, "李", "红梅"),
            ("archivist2", Role.UNIT_ARCHIVIST, other, SecurityLevel.INTERNAL, "王", "志强"),
            ("reader", Role.READER, None, SecurityLevel.PUBLIC, "陈", "静"),
        ]
        listed = []
        for username, role, unit, clearance, last_name, first_name in people:
            if not User.objects.filter(username=username).exists():
                User.objects.create(username=username, password=password, role=role, unit=unit,
                                    clearance=clearance, last_name=last_name, first_name=first_name,
                                    phone=self.phone())
            where = f"{unit.name}，" if unit else ""
            cleared = _("可查看：%(level)s") % {"level": SecurityLevel(clearance).label}
            listed.append((username, str(Role(role).label), f"{where}{cleared}"))
        return listed

    def reorganise(self) -> None:
        """The history that makes the demo worth exploring: a township merger, a temporary body wound up."""
        specs = self.specs
        merge_units([specs["YZX"].unit], specs["LHZ"].unit, MERGER_DATE,
                    note=_("经省人民政府批准撤销杨庄乡，其行政区域划归柳河镇管辖"))
        abolish_unit(specs["QHRPB"].unit, ABOLITION_DATE, custodian=specs[BUREAU_CODE].unit,
                     note=_("第七次全国人口普查工作结束，临时机构撤销，档案移交区档案馆"))

    # Volumes --------------------------------------------------------------------------------------
    def add_volumes(self) -> None:
        kj_items = self.share("KJ")
        per_volume = max(1, round(kj_items / len(PROJECT_VOLUMES)))
        project = self.specs["QHRMYY"]
        for year, title, parts in PROJECT_VOLUMES[: max(1, min(len(PROJECT_VOLUMES), kj_items))]:
            titles = DRAWINGS if parts is None else parts
            count = per_volume if parts is None else min(per_volume, len(parts))
            # Past the end of the list, titles repeat with a running part number.
            size = len(titles)
            item_titles = [titles[i % size] + (f"（{i // size + 1}）" if i >= size else "")
                           for i in range(count)]
            self.volume(project, "KJ", year, f"{project.name}{title}", item_titles, creator=project.name)
        ku_items = self.share("KU")
        volume_count = max(1, ku_items // 15)
        for n in range(volume_count):
            spec = self.specs[ACCOUNTING_UNITS[n % len(ACCOUNTING_UNITS)]]
            year = self.rng.randint(max(spec.years[0], FIRST_YEAR), self.last_year)
            month = self.rng.randint(1, 12)
            first = self.rng.randint(1, 200)
            count = max(1, ku_items // volume_count)
            title = f"{spec.name}{year}年{month}月记账凭证（第{first}—{first + count - 1}号）"
            entries = [f"记账凭证 第{first + i}号 {self.rng.choice(VOUCHER_SUMMARIES)}" for i in range(count)]
            self.volume(spec, "KU", year, title, entries, creator=spec.name, month=month, retention="D30")

    def volume(self, spec, category, year, title, item_titles, creator, month=None, retention=None) -> None:
        retention = self.retentions[retention] if retention else self.suggest(spec, title, category)
        start = datetime.date(year, month or 1, 1)
        end = self.cap(datetime.date(year, month, 28) if month else datetime.date(year, 12, 31))
        dates = sorted(self.date_between(start, end) for _title in item_titles)
        pages = [self.pages(category) for _title in item_titles]
        volume = Volume(fonds=self.fonds[spec.code], category=self.categories[category], year=year,
                        retention=retention, title=title, creator=creator, start_date=dates[0],
                        end_date=dates[-1], pages=sum(pages), control=ControlStatus.CONTROLLED)
        volume.full_clean()
        volume.save()
        self.volumes += 1
        for item_title, date, page_count in zip(item_titles, dates, pages, strict=True):
            self.items.append(Item(fonds=volume.fonds, category=volume.category, volume=volume, year=year,
                                   retention=retention, title=item_title, creator=creator, date=date,
                                   pages=page_count, control=ControlStatus.CONTROLLED))

    # Items ----------------------------------------------------------------------------------------
    def add_items(self) -> None:
        for _n in range(self.share("ZP")):
            self.special(self.pick(("QHDAJ", "QHZFB", "CGZ", "LHZ", "QHRMYY")), "ZP")
        for code in ("LY", "LX", "SW"):
            for _n in range(self.share(code, at_least=1)):
                self.special(self.pick(("QHDAJ", "QHZFB")), code)
        for _n in range(self.share("HY", at_least=3)):
            self.marriage(self.specs["QHMZJ"])
        villages = tuple(code for code, _name, _town in VILLAGES)
        for _n in range(self.share("TD", at_least=2)):
            self.land_contract(self.pick(villages))
        weights = [spec.weight for spec in UNITS]
        for _n in range(max(0, self.total - len(self.items))):
            self.document(self.rng.choices(UNITS, weights)[0])

    def share(self, code: str, at_least: int = 0) -> int:
        return max(at_least, round(self.total * SHARES[code]))

    def pick(self, codes) -> UnitSpec:
        return self.specs[self.rng.choice(codes)]

    def add(self, spec: UnitSpec, category: str, year: int, title: str, **values) -> Item:
        date = values.pop("date", None) or self.date_in(year)
        retention = values.pop("retention", None) or self.suggest(spec, title, category)
        security = values.pop("security_level", SecurityLevel.PUBLIC)
        control = values.pop("control", None) or self.control(year, security)
        item = Item(fonds=self.fonds[spec.code], category=self.categories[category], year=year,
                    retention=retention, title=title, date=date, pages=self.pages(category),
                    security_level=security, control=control, **values)
        self.items.append(item)
        return item

    def document(self, spec: UnitSpec) -> None:
        year = self.year(spec)
        date = self.date_in(year)
        title, creator, number = self.compose(spec, date)
        roll = self.rng.random()
        security = SecurityLevel.PUBLIC if roll < 0.86 else SecurityLevel.INTERNAL
        if roll > 0.975 and spec.unit_type in (UnitType.BUREAU, UnitType.DEPARTMENT):
            security = SecurityLevel.SECRET
        org = spec.orgs[0] if self.rng.random() < 0.5 else self.rng.choice(spec.orgs)
        self.add(spec, "WS", year, title, date=date, creator=creator, document_number=number, org_code=org,
                 security_level=security)

    def special(self, spec: UnitSpec, category: str) -> None:
        year = self.year(spec)
        event = self.rng.choice(EVENTS)
        place = spec.address or spec.name
        people = "、".join(self.person_name() for _n in range(self.rng.randint(1, 3))) + "等"
        if category == "ZP":
            extra = {"photographer": self.person_name(), "place": place, "people": people,
                     "photo_number": f"{year}-{self.rng.randint(1, 999):03d}"}
            title = f"{spec.short}{year}年{event}照片"
        elif category == "SW":
            extra = {"object_name": "奖牌", "size": "40×30厘米", "material": "木质", "quantity": 1}
            title = f"{spec.short}获评{year}年度{CITY}档案工作先进集体奖牌"
        else:
            extra = {"recorder": self.person_name(), "duration": self.rng.randint(20, 180), "place": place}
            kind = "录音" if category == "LY" else "录像"
            title = f"{self.meeting(spec)}{kind}（{year}年第{self.rng.randint(1, 30)}次）"
        self.add(spec, category, year, title, creator=spec.name, extra=extra,
                 retention=self.retentions[FALLBACK_RETENTION[category]] if category != "ZP" else None)

    def marriage(self, spec: UnitSpec) -> None:
        year = self.rng.randint(FIRST_YEAR, self.last_year)
        kind = self.rng.choices(("结婚", "离婚", "补发"), (85, 12, 3))[0]
        husband, wife = self.person_name(male=True), self.person_name(male=False)
        extra = {"husband_name": husband, "husband_id_number": self.id_number(year, male=True),
                 "wife_name": wife, "wife_id_number": self.id_number(year, male=False),
                 "registration_type": kind}
        title = f"{husband}与{wife}{'补发婚姻登记证' if kind == '补发' else kind + '登记'}"
        letter = {"结婚": "J", "离婚": "L", "补发": "BJ"}[kind]
        self.add(spec, "HY", year, title, creator=spec.name, extra=extra, retention=self.retentions["Y"],
                 document_number=f"{letter}{ID_AREAS[0]}-{year}-{self.rng.randint(1, 2999):06d}",
                 security_level=SecurityLevel.INTERNAL, control=ControlStatus.CONTROLLED)

    def land_contract(self, spec: UnitSpec) -> None:
        year = self.rng.choice((2005, 2008, 2015, 2016, 2017, 2018, 2020))
        contractor = self.person_name(male=True)
        extra = {"contractor": contractor, "contractor_id_number": self.id_number(year + 20, male=True),
                 "plot_code": f"{ID_AREAS[0]}1{spec.fonds}{self.rng.randint(1, 99999):05d}",
                 "area_mu": round(self.rng.uniform(0.8, 12), 1), "term": "1998年10月1日至2028年9月30日"}
        self.add(spec, "TD", year, f"{contractor}农村土地承包经营权合同", creator=committee(spec.name),
                 extra=extra, retention=self.retentions["Y"], security_level=SecurityLevel.INTERNAL,
                 control=ControlStatus.CONTROLLED)

    # Titles ---------------------------------------------------------------------------------------
    def compose(self, spec: UnitSpec, date: datetime.date) -> tuple[str, str, str]:
        """A title, its creator and document number, as a unit of this kind writes them on this date."""
        year, rng = date.year, self.rng
        kinds = VILLAGE_KINDS if spec.unit_type == UnitType.VILLAGE else OFFICE_KINDS
        if spec.unit_type == UnitType.VILLAGE and year in ELECTION_YEARS:
            kinds += ((6, ELECTION_KIND, "own", ""),)
        _weight, pattern, creator, series = rng.choices(kinds, [k[0] for k in kinds])[0]
        subject = self.subject(spec, year)
        title = pattern.format(
            year=year, subject=subject, work=subject if subject.endswith("工作") else f"{subject}工作",
            short=spec.short, name=spec.name, district=DISTRICT, city=CITY, person=self.person_name(),
            meeting=self.meeting(spec), n=max(1, date.month * 2 - rng.randint(0, 1)),
            quarter=(date.month - 1) // 3 + 1,
            term=ELECTION_YEARS.index(year) + 6 if year in ELECTION_YEARS else 0,
            verb=rng.choice(VERBS), urge=rng.choice(URGES), service=rng.choice(SERVICES),
            budget=rng.choice(BUDGETS),
            plan=rng.choice(("计划", "总结")), asset=rng.choice(("土地", "鱼塘", "厂房")),
        )
        if spec.name.endswith("社区"):
            for village, community in COMMUNITY_WORDS:
                title = title.replace(village, community)
        upper, upper_issues, upper_replies = spec.upper
        prefix = {"own": spec.prefix, "issues": upper_issues, "replies": upper_replies, "": ""}[series]
        return title, committee(spec.name) if creator == "own" else upper, self.number(prefix, year)

    def meeting(self, spec: UnitSpec) -> str:
        meeting = self.rng.choice(spec.meetings)
        return meeting if meeting.startswith("区") else f"{spec.short}{meeting}"

    def subject(self, spec: UnitSpec, year: int) -> str:
        def current(pool):
            return [s for s, start, end in pool if (start or year) <= year <= (end or year)]

        own = current(spec.subjects)
        # A unit writes mostly about its own business.
        return self.rng.choice(own if own and self.rng.random() < 0.6 else own + current(COMMON_SUBJECTS))

    def number(self, prefix: str, year: int) -> str:
        if not prefix:
            return ""
        key = (prefix, year)
        self.doc_numbers[key] = self.doc_numbers.get(key, 0) + self.rng.randint(1, 6)
        return f"{prefix}〔{year}〕{self.doc_numbers[key]}号"

    def suggest(self, spec: UnitSpec, title: str, category: str) -> Retention:
        schedule_type = UnitType.DEPARTMENT if spec.unit_type in (UnitType.BUREAU, UnitType.TEMPORARY) else (
            spec.unit_type)
        # The suggestion depends only on which schedule keywords a title contains, so titles containing the
        # same ones share one answer and thousands of titles cost a few dozen look-ups.
        found = frozenset(k for k in self.schedule_keywords.get(schedule_type, ()) if k in title)
        key = (schedule_type, category, found)
        if key not in self.retention_cache:
            entry = suggest_retention(schedule_type, title, self.categories[category])
            fallback = self.retentions[FALLBACK_RETENTION.get(category, "D30")]
            self.retention_cache[key] = entry.retention if entry else fallback
        return self.retention_cache[key]

    # Small values ---------------------------------------------------------------------------------
    def year(self, spec: UnitSpec) -> int:
        first, last = spec.years[0], min(spec.years[1], self.last_year)
        years = list(range(first, last + 1))
        # Holdings grow year by year, as a district's do.
        return self.rng.choices(years, [y - FIRST_YEAR + 4 for y in years])[0]

    def date_in(self, year: int) -> datetime.date:
        return self.date_between(datetime.date(year, 1, 1), self.cap(datetime.date(year, 12, 31)))

    def date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def cap(self, date: datetime.date) -> datetime.date:
        return min(date, self.today)

    def pages(self, category: str) -> int:
        if category in ("LY", "LX", "SW"):
            return 1
        if category == "KJ":
            return self.rng.randint(1, 60)
        return self.rng.choices((1, 2, 3, 4, 6, 8, 12, 20, 36), (20, 22, 16, 12, 10, 8, 6, 4, 2))[0]

    def control(self, year: int, security: str) -> str:
        if security != SecurityLevel.PUBLIC:
            return ControlStatus.CONTROLLED
        # The older a public record, the more likely it has been reviewed and opened.
        opened = 0.15 + 0.6 * (self.last_year - year) / (self.last_year - FIRST_YEAR)
        return ControlStatus.OPEN if self.rng.random() < opened else ControlStatus.CONTROLLED

    def phone(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randint(0, 999999999):09d}"

    def person_name(self, male: bool | None = None) -> str:
        if male is None:
            male = self.rng.random() < 0.5
        return self.rng.choice(SURNAMES) + self.rng.choice(MALE_NAMES if male else FEMALE_NAMES)

    def id_number(self, event_year: int, male: bool) -> str:
        born = datetime.date(event_year - self.rng.randint(22, 40), 1, 1) + datetime.timedelta(
            days=self.rng.randint(0, 364))
        order = self.rng.randint(0, 99) * 10 + self.rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
        first17 = f"{self.rng.choice(ID_AREAS)}{born:%Y%m%d}{order:03d}"
        return first17 + id_check_digit(first17)
