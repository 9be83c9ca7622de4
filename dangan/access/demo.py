"""The demo district's utilisation (利用): readers, requests in every state, loans (one overdue), a certified
copy, open-review batches, 利用效果 and notices — so the dashboard, the lists and the portal have something
to show on first start.

Called by ``dangan.demo`` after the catalogue and the demo accounts exist. Everything goes through the same
rules as real work (``AccessRequest.submit``/``approve``/``reject``, ``Loan.lend``, ``certificates.issue``,
``OpenReview.decide_batch``, ``CatalogueListing.publish``); only the dates are moved back afterwards, so the
statistics spread over the year instead of all falling on the day the demo was loaded.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from dangan.access import certificates
from dangan.access.choices import IdType, Mode, ReaderKind, RequestStatus, ReviewDecision
from dangan.access.models import (
    AccessRequest,
    CatalogueListing,
    Effect,
    Loan,
    OpenReview,
    Purpose,
    Reader,
    open_items,
)
from dangan.accounts.choices import Role
from dangan.accounts.models import User
from dangan.catalogue.choices import ControlStatus, RecordStatus, SecurityLevel
from dangan.catalogue.models import Item
from dangan.lib.idnumbers import id_check_digit
from dangan.portal.models import Notice

# username, name, birth date, sex digit, organisation, phone
PUBLIC_READERS = (
    ("wangxiuying", "王秀英", "19620314", 2, "", "13905310021"),
    ("liujianguo", "刘建国", "19781102", 1, "滨江大学历史学院", "13805310456"),
    ("zhaohaiyan", "赵海燕", "19850723", 4, "滨江宏达置业有限公司", "15953120873"),
    ("sunlixin", "孙立新", "19700209", 3, "", "18653100915"),
)
NOTICES = (
    (
        "清河区档案馆开放档案目录（第三批）公布",
        "经开放审核，区政府办公室等单位形成的一批档案向社会开放，目录可在本网站检索，欢迎社会各界查阅利用。",
        40,
    ),
    (
        "关于“6·9国际档案日”档案馆开放日活动的通知",
        "6月9日国际档案日当天，区档案馆面向公众开放，设置馆藏珍品展览、档案修复体验等活动。",
        170,
    ),
    (
        "查档须知",
        "查阅开放档案请携带本人有效身份证件；查阅控制使用档案须提出申请，经保管单位审批后利用。"
        "也可在本网站注册后在线申请。",
        300,
    ),
)


@dataclass
class Utilisation:
    readers: int = 0
    requests: int = 0
    loans: int = 0
    certificates: int = 0
    reviews: int = 0
    notices: int = 0


def add_utilisation(rng: random.Random) -> Utilisation:
    return _Utilisation(rng).build()


class _Utilisation:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.now = timezone.now()
        # Uses spread over this year so far (at least a month back, so early January is not empty).
        self.span = max(30, timezone.localdate().timetuple().tm_yday - 1)
        users = {
            u.username: u
            for u in User.objects.filter(username__in=["staff", "archivist", "archivist2", "reader"])
        }
        self.staff, self.archivist = users["staff"], users["archivist"]
        self.archivist2, self.reader = users["archivist2"], users["reader"]
        self.purposes = {p.name: p for p in Purpose.objects.filter(active=True)}
        self.summary = Utilisation()

    def build(self) -> Utilisation:
        readers = self.create_readers()
        self.open_review()
        self.requests(readers)
        self.loans()
        self.notices()
        return self.summary

    # People -----------------------------------------------------------------------------------------
    def create_readers(self) -> list[User]:
        # The demo reader account becomes a registered member of the public, like those who sign up.
        people = [self.reader]
        Reader.objects.create(
            user=self.reader,
            kind=ReaderKind.PUBLIC,
            name="陈静",
            id_number=self._id("19900512", 6),
            phone="13605310388",
        )
        for username, name, born, sex, organisation, phone in PUBLIC_READERS:
            user = User.objects.create(
                username=username,
                password=self.reader.password,
                role=Role.READER,
                clearance=SecurityLevel.PUBLIC,
                last_name=name[0],
                first_name=name[1:],
            )
            reader = Reader(
                user=user,
                kind=ReaderKind.PUBLIC,
                name=name,
                id_type=IdType.RESIDENT,
                id_number=self._id(born, sex),
                phone=phone,
                organisation=organisation,
            )
            reader.full_clean()
            reader.save()
            people.append(user)
        self.summary.readers = len(people)
        return people

    def _id(self, born: str, sex: int) -> str:
        first17 = f"370302{born}{self.rng.randint(10, 99)}{sex}"
        return first17 + id_check_digit(first17)

    # Open review ------------------------------------------------------------------------------------
    def open_review(self) -> None:
        """A batch opened early (the Archives Law allows less than 25 years) and one deferred with its
        catalogue entry published (目录公开), so the portal shows both kinds."""
        oldest = self.controlled(self.staff.unit_id).order_by("year", "pk")
        candidates = list(oldest[:8])
        opened, deferred = candidates[:5], candidates[5:]
        if opened:
            self.summary.reviews += len(
                OpenReview.decide_batch(
                    opened,
                    ReviewDecision.OPEN,
                    self.staff,
                    "经审核，内容不涉及国家秘密和个人隐私，可提前向社会开放",
                )
            )
        if deferred:
            self.summary.reviews += len(
                OpenReview.decide_batch(
                    deferred,
                    ReviewDecision.DEFER,
                    self.staff,
                    "涉及个人信息，暂缓开放；目录公开，可申请利用",
                    defer_years=5,
                )
            )
            CatalogueListing.publish(deferred, self.staff)

    def controlled(self, *unit_ids):
        """Public-level filed controlled items kept by these units (their custodian)."""
        return Item.objects.filter(
            control=ControlStatus.CONTROLLED,
            security_level=SecurityLevel.PUBLIC,
            status__in=[RecordStatus.FILED, RecordStatus.TRANSFERRED],
            fonds__custodian_id__in=unit_ids,
        ).select_related("fonds")

    # Requests ---------------------------------------------------------------------------------------
    def requests(self, readers: list[User]) -> None:
        rng = self.rng
        opened = list(open_items().order_by("pk")[:400])
        # Open items: granted at once; a dozen uses by several readers over the year.
        for n in range(min(12, len(opened))):
            reader = readers[n % len(readers)]
            items = rng.sample(opened, k=min(len(opened), rng.choice((1, 1, 2, 3))))
            purpose = rng.choice(("学术研究", "编史修志", "工作查考", "经济建设", "宣传教育", "其他"))
            mode = rng.choice((Mode.ONLINE, Mode.ONLINE, Mode.ONSITE, Mode.COPY))
            req = self.submit(reader, items, purpose, mode, days_ago=rng.randint(1, self.span))
            if n % 4 == 0:
                Effect.objects.create(
                    request=req,
                    entered_by=self.staff,
                    summary="为《清河区志（2006—2025）》编纂提供了第一手资料。",
                )
        # Controlled items need the keeping unit's archivist: listed so the public may ask for them.
        town = list(self.controlled(*self.archivist.scope_unit_ids).order_by("-year", "pk")[:6])
        if len(town) < 5:
            return
        CatalogueListing.publish(town, self.staff)
        wang, liu, zhao, sun = readers[1:5]
        granted = self.submit(liu, [town[0]], "学术研究", Mode.ONSITE, days_ago=min(60, self.span))
        granted.approve(self.archivist, "同意到馆查阅")
        self.decided(granted)
        refused = self.submit(zhao, [town[1]], "经济建设", Mode.COPY, days_ago=min(20, self.span))
        refused.reject(self.archivist, "涉及第三方商业信息，不宜提供复制")
        self.decided(refused)
        cancelled = self.submit(sun, [town[2]], "其他", Mode.ONLINE, days_ago=min(10, self.span))
        cancelled.cancel(sun)
        self.decided(cancelled)
        # Waiting for the archivist when someone signs in as "archivist" (and the reader sees it pending).
        self.submit(self.reader, [town[3]], "学术研究", Mode.ONLINE, days_ago=1)
        self.submit(wang, [town[4]], "个人取证", Mode.COPY, days_ago=0)
        # 档案证明: 王秀英 proves her years of service; the archivist certifies a copy.
        proof = self.submit(wang, [town[5]], "个人取证", Mode.CERTIFICATE, days_ago=min(30, self.span))
        proof.approve(self.archivist, "同意出具档案证明")
        self.decided(proof)
        certificates.issue(
            proof,
            town[5],
            self.archivist,
            f"兹证明《{town[5].title}》（档号 {town[5].reference_code}）复制件与馆藏原件一致。",
        )
        self.summary.certificates += 1
        Effect.objects.create(
            request=proof, entered_by=self.archivist, summary="凭档案证明办理了退休工龄认定。"
        )

    def submit(self, user, items, purpose: str, mode: str, days_ago: int) -> AccessRequest:
        req = AccessRequest.submit(user, items, self.purposes[purpose], mode, "")
        self.summary.requests += 1
        at = self.now - datetime.timedelta(days=days_ago, hours=self.rng.randint(0, 6))
        AccessRequest.objects.filter(pk=req.pk).update(created_at=at)
        if req.status == RequestStatus.GRANTED:
            self.decided(req, at)
        req.refresh_from_db()
        return req

    def decided(self, req: AccessRequest, at=None) -> None:
        """Move the decision (and its history) to a plausible time after the request."""
        req.refresh_from_db()
        at = at or min(self.now, req.created_at + datetime.timedelta(hours=self.rng.randint(2, 30)))
        AccessRequest.objects.filter(pk=req.pk).update(decided_at=at)
        req.events.update(at=at)
        req.decisions.update(at=at)

    # Loans ------------------------------------------------------------------------------------------
    def loans(self) -> None:
        """Originals lent by the archives to units' staff: one out, one overdue, one back."""
        kept = list(
            Item.objects.filter(
                fonds__custodian_id=self.staff.unit_id,
                volume__isnull=True,
                status__in=[RecordStatus.FILED, RecordStatus.TRANSFERRED],
            ).order_by("pk")[:3]
        )
        if len(kept) < 3:
            return
        today = timezone.localdate()
        Loan.lend(kept[0], self.archivist2, self.staff, due_date=today + datetime.timedelta(days=18))
        # Lent long ago and not back: Loan.lend refuses a due date in the past, so this one is written
        # as it would stand today.
        Loan(
            item=kept[1],
            borrower=self.archivist,
            lent_by=self.staff,
            lent_at=self.now - datetime.timedelta(days=45),
            due_date=today - datetime.timedelta(days=15),
        ).save()
        back = Loan.lend(kept[2], self.archivist, self.staff)
        back.mark_returned(self.staff)
        self.summary.loans = 3

    # Notices ----------------------------------------------------------------------------------------
    def notices(self) -> None:
        for title, body, days_ago in NOTICES:
            Notice.objects.create(
                title=title,
                body=body,
                published=True,
                created_by=self.staff,
                published_at=self.now - datetime.timedelta(days=days_ago),
            )
        Notice.objects.create(
            title="2027年春节期间查档服务安排（草稿）", body="待定。", published=False, created_by=self.staff
        )
        self.summary.notices = len(NOTICES)
