"""Demo data: a Kunming unit tree, one login per role and a few hundred items in every state."""

from __future__ import annotations

import calendar
import datetime
import random
from dataclasses import dataclass
from io import TextIOBase

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.accounts.services import user_create
from apps.items.counters.writes import counters_follow
from apps.items.models import (
    DONE_STATUSES,
    KIND_OF_OWNER_TYPE,
    PERSON_OWNED_TYPES,
    Action,
    Category,
    ItemKind,
    ItemTransition,
    KeyLevel,
    OwnerType,
    ProgressUpdate,
    Source,
    Status,
    WorkItem,
    today_local,
)
from apps.items.services import (
    item_approve,
    item_assign,
    item_cancel,
    item_claim,
    item_close,
    item_complete,
    item_create,
    item_post_progress,
    item_publish,
    item_return,
    item_start,
    item_submit,
    item_suspend,
)
from apps.org.models import Unit, UnitLevel
from apps.org.services import unit_create
from apps.reports.periods import ReportKind, period_due_on, previous_period
from apps.reports.services import reports_produce

DEMO_PASSWORD = "demo12345"  # noqa: S105 - the published password of the demo logins
DEMO_SEED = 2021
BASE_YEAR = 2021  # the year of the Kunming figures in the seeds

L = UnitLevel
# code, name, level, parent code: real places and bodies named in the seed articles.
UNITS = (
    ("YN", "云南省", L.PROVINCE, None),
    ("KM", "昆明市", L.CITY, "YN"),
    ("KMZW", "昆明市政务服务管理局", L.DEPARTMENT, "KM"),
    ("KMYB", "昆明市医疗保障局", L.DEPARTMENT, "KM"),
    ("KMJJ", "昆明市公安局交通警察支队", L.DEPARTMENT, "KM"),
    ("KMXD", "昆明新都投资有限公司", L.ENTERPRISE, "KM"),
    ("KMXDDW", "昆明新都投资有限公司党委", L.PARTY_ORGANISATION, "KMXD"),
    ("WH", "五华区", L.COUNTY, "KM"),
    ("WHZW", "五华区政务服务管理局", L.DEPARTMENT, "WH"),
    ("WHWY", "五华区物业行业党委", L.PARTY_ORGANISATION, "WH"),
    ("WHLX", "龙翔街道", L.TOWNSHIP, "WH"),
    ("WHXCY", "小菜园村", L.VILLAGE, "WHLX"),
    ("WHHY", "红云街道", L.TOWNSHIP, "WH"),
    ("WHMY", "麻园村", L.VILLAGE, "WHHY"),
    ("WHHS", "华山街道", L.TOWNSHIP, "WH"),
    ("GD", "官渡区", L.COUNTY, "KM"),
    ("GDLJ", "六甲街道", L.TOWNSHIP, "GD"),
    ("GDXH", "新河村", L.VILLAGE, "GDLJ"),
    ("GDXHDZ", "新河村党总支", L.PARTY_ORGANISATION, "GDXH"),
    ("SL", "石林县", L.COUNTY, "KM"),
    ("SLSL", "石林街道", L.TOWNSHIP, "SL"),
    ("SLLST", "螺蛳塘村党总支", L.PARTY_ORGANISATION, "SLSL"),
    ("JN", "晋宁区", L.COUNTY, "KM"),
    ("LQ", "禄劝县", L.COUNTY, "KM"),
)
PLACE_LEVELS = {L.CITY, L.COUNTY, L.TOWNSHIP, L.VILLAGE}
NEIGHBOURHOODS = {"WH": ["文林街", "天骄北麓小区", "翠湖片区"], "GD": ["关上片区"], "KM": ["呈贡片区"]}


@dataclass(frozen=True)
class DemoLogin:
    """One of the printed demo logins, one per role."""

    username: str
    role: Role
    full_name: str
    title: str
    unit_code: str


DEMO_LOGINS = (
    DemoLogin("official", Role.OFFICIAL, "李文娟", "区委组织部干部", "WH"),
    DemoLogin("unitadmin", Role.UNIT_ADMIN, "周建华", "区委办公室副主任", "WH"),
    DemoLogin("leader", Role.LEADER, "张立新", "市委常委", "KM"),
    DemoLogin("supervisor", Role.SUPERVISOR, "王秀英", "市委督查室主任", "KM"),
    DemoLogin("reporting", Role.REPORTING_STAFF, "陈晓燕", "市委组织部统计员", "KM"),
    DemoLogin("sysadmin", Role.SYSTEM_ADMIN, "赵志刚", "省委组织部信息中心工程师", "YN"),
)

T, P = OwnerType.TEAM_MEMBER, OwnerType.PARTY_MEMBER
# username, full name, post, unit code, the list they keep. They all hold the official role.
PEOPLE = (
    ("sunguoqiang", "孙国强", "市委常委、秘书长", "KM", T),
    ("malihua", "马丽华", "副市长", "KM", T),
    ("liuzhiming", "刘志明", "局长", "KMZW", T),
    ("hejing", "何静", "局长", "KMYB", T),
    ("yangyong", "杨勇", "支队长", "KMJJ", T),
    ("huanghaitao", "黄海涛", "党委书记、董事长", "KMXD", T),
    ("wuxiaohong", "吴晓红", "党委副书记", "KMXDDW", P),
    ("luozhiqiang", "罗志强", "区委书记", "WH", T),
    ("duanliping", "段丽萍", "副区长", "WH", T),
    ("xuminliang", "许明亮", "局长", "WHZW", T),
    ("pulifen", "普丽芬", "党委书记", "WHWY", P),
    ("sujianguo", "苏建国", "党工委书记", "WHLX", T),
    ("yangli", "杨丽", "村党总支书记", "WHXCY", P),
    ("qianwei", "钱伟", "办事处主任", "WHHY", T),
    ("zhaoguilan", "赵桂兰", "党员、居民小组长", "WHMY", P),
    ("zhenghao", "郑浩", "党工委副书记", "WHHS", T),
    ("kongdeming", "孔德明", "区委副书记", "GD", T),
    ("wangjianping", "王建平", "党工委书记", "GDLJ", T),
    ("lichunhua", "李春华", "党员、村民小组长", "GDXH", P),
    ("duanguohua", "段国华", "党总支书记", "GDXHDZ", P),
    ("bihongmei", "毕红梅", "县委副书记", "SL", T),
    ("lizhihua", "李志华", "党工委书记", "SLSL", T),
    ("jinyongfu", "金永福", "党总支书记", "SLLST", P),
    ("chenzhendong", "陈振东", "区委常委", "JN", T),
    ("zhangwenbin", "张文斌", "副县长", "LQ", T),
)
EXTRA_OWNERS = {"leader": T, "official": P}  # demo logins that also keep a personal list

# Units keeping a livelihood plan, with how often they get an item and who logs it.
LEADERSHIP_TEAMS = {
    "KM": ("sunguoqiang", 8), "KMZW": ("liuzhiming", 4), "KMYB": ("hejing", 4), "KMJJ": ("yangyong", 3),
    "KMXD": ("huanghaitao", 4), "WH": ("official", 10), "WHZW": ("xuminliang", 4), "WHLX": ("sujianguo", 3),
    "WHHY": ("qianwei", 3), "WHHS": ("zhenghao", 3), "GD": ("kongdeming", 5), "GDLJ": ("wangjianping", 3),
    "SL": ("bihongmei", 4), "SLSL": ("lizhihua", 3), "JN": ("chenzhendong", 3), "LQ": ("zhangwenbin", 3),
}  # fmt: skip
GRASSROOTS_ORGANISATIONS = {
    "KMXDDW": ("wuxiaohong", 2), "WHWY": ("pulifen", 3), "WHXCY": ("yangli", 3), "WHMY": ("zhaoguilan", 3),
    "GDXHDZ": ("duanguohua", 4), "SLLST": ("jinyongfu", 3),
}  # fmt: skip

# Items the seeds name, used first for their unit: category, title, beneficiaries.
NAMED_ITEMS = {
    "KM": [("transport_parking", "综合治理主城区城市拥堵和停车难", "主城区市民"),
           ("housing", "实施城镇老旧小区改造", "主城区老旧小区居民"),
           ("other", "推进城市社区“15分钟体育健身圈”建设", "全市居民")],
    "KMZW": [("business_environment", "市民热线“7×24小时”人工服务", "全市企业和群众"),
             ("business_environment", "设立“办不成事”反映窗口", "办事企业和群众"),
             ("business_environment", "政务服务“跨省通办”就近办理", "跨省办事群众")],
    "KMYB": [("healthcare", "开展“我为群众减负担”医保专项活动", "全市参保群众"),
             ("healthcare", "医疗保险托底保障", "困难参保群众")],
    "KMJJ": [("transport_parking", "“微光成炬、共护童行”学校周边交通安全隐患整治", "全市中小学生")],
    "KMXD": [("transport_parking", "呈贡大学城、行政中心、滇池星城片区26条道路3305个泊位清理规范", "呈贡片区驾车市民"),
             ("transport_parking", "和谐路等两个停车场260个车位清理规范", "驾车市民"),
             ("transport_parking", "停车泊位接入昆明市智慧停车信息平台", "驾车市民")],
    "WH": [("environment", "长虫山五华片区防洪滞蓄及截污工程", "五华区沿线居民"),
           ("environment", "建设“双层河道”打造城市亲水空间", "五华区居民"),
           ("grassroots_governance", "黄土坡旧货市场违法建筑拆除", "黄土坡片区居民"),
           ("employment", "“141”工作机制解决拖欠农民工工资", "农民工"),
           ("healthcare", "“昆明五华医保”移动服务平台异地就医备案“一码办理”", "五华区64万参保群众")],
    "WHZW": [("business_environment", "政务服务“周三夜市”延时服务", "上班族和办事群众"),
             ("business_environment", "政务服务“周六晨办”预约服务", "办事群众"),
             ("business_environment", "“水电气”过户增值服务“一门通办”", "购房群众")],
    "WHLX": [("grassroots_governance", "龙翔街道社工工作站建设", "龙翔街道居民")],
    "WHHS": [("grassroots_governance", "华山街道社会组织培育服务中心建设", "华山街道居民")],
    "WHWY": [("housing", "40余个老旧小区引入物业或“准物业”", "五华区老旧小区业主")],
    "WHXCY": [("grassroots_governance", "小菜园村私搭乱建、乱停乱放整治", "小菜园村居民")],
    "WHMY": [("grassroots_governance", "麻园村占道经营整治", "麻园村居民和商户")],
    "GDLJ": [("water_supply", "新河村自来水管网改造工程", "新河村300余户村民")],
    "GDXHDZ": [("water_supply", "新河村供水设施日常巡查维护", "新河村村民")],
    "SLSL": [("education", "螺蛳塘小学操场改造提升", "螺蛳塘小学师生"), ("education", "占屯小学改造提升", "占屯小学师生")],
}  # fmt: skip
PLAN_TITLES = (
    ("water_supply", "{place}老旧供水管网改造", "{place}居民"),
    ("water_supply", "{place}二次供水设施提升改造", "{place}老旧小区居民"),
    ("housing", "{place}老旧小区改造", "{place}老旧小区居民"),
    ("housing", "{place}老旧小区加装电梯", "{place}老旧小区中老年居民"),
    ("elderly_care", "{place}长者食堂建设", "{place}60岁以上老年人"),
    ("elderly_care", "{place}老年人日间照料中心提档升级", "{place}老年人"),
    ("elderly_care", "{place}困难老年人居家适老化改造", "{place}困难老年人家庭"),
    ("childcare", "{place}普惠托育点建设", "{place}3岁以下婴幼儿家庭"),
    ("education", "{place}“课后三点半”托管服务", "{place}小学生家庭"),
    ("education", "{place}C级不安全校舍拆除重建", "{place}在校师生"),
    ("transport_parking", "{place}新增公共停车泊位", "{place}居民和驾车市民"),
    ("transport_parking", "打通{place}“断头路”", "{place}沿线居民"),
    ("transport_parking", "{place}新建电动车充电棚", "{place}电动车车主"),
    ("environment", "{place}臭水沟综合整治", "{place}沿岸居民"),
    ("environment", "{place}垃圾分类收集点建设", "{place}居民"),
    ("grassroots_governance", "{place}私搭乱建和占道经营整治", "{place}居民和商户"),
    ("grassroots_governance", "{place}线路线缆杂乱整治", "{place}居民"),
    ("grassroots_governance", "{place}“逢六说事”摆摊式接访", "{place}居民"),
    ("healthcare", "{place}社区卫生服务站改扩建", "{place}居民"),
    ("employment", "{place}重点群体就业帮扶", "{place}高校毕业生、退役军人和脱贫劳动力"),
    ("social_security", "{place}全民参保入户宣传登记", "{place}未参保群众"),
    ("business_environment", "{place}“容缺受理”服务,次要材料先承诺后补齐", "{place}办事企业和群众"),
    ("business_environment", "{place}企业开办“一日办结”", "{place}新开办企业"),
    ("business_environment", "{place}政务服务事项“就近办、一次办”", "{place}办事群众"),
    ("healthcare", "{place}门诊费用跨省直接结算", "{place}异地就医参保群众"),
    ("social_security", "{place}困难群众医疗救助“一站式”结算", "{place}困难群众"),
    ("transport_parking", "{place}学校周边上下学时段护学岗", "{place}中小学生和家长"),
    ("transport_parking", "{place}拥堵路段信号灯配时优化", "{place}出行市民"),
    ("other", "{place}公共体育健身设施建设", "{place}居民"),
    ("other", "{place}农家书屋新书配送", "{place}群众"),
)
# Departments and enterprises keep to their own line of work.
UNIT_CATEGORIES = {
    "KMZW": {"business_environment"}, "KMYB": {"healthcare", "social_security"}, "KMJJ": {"transport_parking"},
    "KMXD": {"transport_parking"}, "WHZW": {"business_environment"},
}  # fmt: skip
SERVICE_TITLES = {
    T: (
        ("grassroots_governance", "开门接访,面对面倾听{place}群众诉求", "{place}来访群众"),
        ("housing", "带队调研{place}老旧小区治理", "{place}老旧小区居民"),
        ("education", "督办{place}C级不安全校舍拆除重建", "{place}在校师生"),
        ("business_environment", "走访{place}企业,帮助解决用工融资难题", "{place}中小企业"),
        ("grassroots_governance", "“四个一”联系{place}一个村、一个单位、一个重点项目", "{place}群众"),
        ("transport_parking", "领办{place}停车难问题", "{place}驾车群众"),
        ("elderly_care", "联系{place}养老服务机构,推动提升服务质量", "{place}老年人"),
        ("employment", "联系{place}脱贫户,帮助落实就业岗位", "{place}脱贫劳动力"),
        ("healthcare", "协调解决{place}群众看病就医难题", "{place}群众"),
    ),
    P: (
        ("social_security", "走访慰问{place}困难党员和群众", "{place}困难党员和群众"),
        ("healthcare", "帮助{place}独居老人代办医保报销", "{place}独居老人"),
        ("business_environment", "为{place}商户代办食品经营许可证换证", "{place}个体工商户"),
        ("social_security", "结对帮扶{place}困难家庭", "{place}困难家庭"),
        ("grassroots_governance", "协调解决{place}物业纠纷", "{place}业主"),
        ("childcare", "为{place}留守儿童辅导功课", "{place}留守儿童"),
        ("social_security", "为{place}残疾人家庭申请生活补助", "{place}残疾人家庭"),
        ("environment", "组织志愿者清理{place}卫生死角", "{place}居民"),
        ("water_supply", "帮助{place}群众疏通排水沟渠", "{place}群众"),
        ("elderly_care", "定期探访{place}空巢老人", "{place}空巢老人"),
    ),
}
SOURCE_WEIGHTS = {Source.CITIZEN_REQUEST: 30, Source.SURVEY: 25, Source.SUPERVISION: 10, Source.ASSIGNED: 10,
                  Source.SELF: 25}  # fmt: skip
SOURCE_LEADS = {
    Source.CITIZEN_REQUEST: "群众通过12345热线和“办不成事”反映窗口集中反映。",
    Source.SURVEY: "在“大走访、大调研”中收集的群众意见。",
    Source.SUPERVISION: "专项督导中发现的问题,限期解决。",
    Source.ASSIGNED: "上级以交办函形式交办。",
    Source.SELF: "结合单位职责主动认领。",
}
REQUIREMENTS = (
    "明确责任单位、责任人、工作要求和完成时限,每周报送进展。",
    "挂图作战、逐项推进,按月报送进展情况,事结销号。",
    "佐证材料齐全,群众满意度回访不低于90%。",
)
KEY_REQUIREMENTS = "按照“一个项目、一个方案、一名领导、一个专班、一抓到底”推进,半月报送进展。"
PROGRESS_NOTES = ((25, "已完成走访调研,制定工作方案"), (50, "工作推进过半,已解决部分群众诉求"),
                  (75, "主体工作基本完成,正在收集佐证材料"))  # fmt: skip
RETURN_REASONS = ("佐证材料不全,请补充完工验收照片", "暗访发现仍有群众反映问题未解决", "群众满意度回访未达标")
SUSPEND_REASONS = ("项目用地手续待审批,暂缓实施", "雨季不具备施工条件,暂停施工", "配套资金尚未到位")
CANCEL_REASONS = ("与市级重点项目重复,合并办理", "经调研群众需求已通过其他渠道解决", "规划调整,项目不再实施")

# How many items end in each status, and how many each owner type keeps (300 in all).
STATUS_COUNTS = {
    Status.DRAFT: 18, Status.SUBMITTED: 24, Status.APPROVED: 30, Status.IN_PROGRESS: 80, Status.COMPLETED: 30,
    Status.CLOSED: 70, Status.RETURNED: 14, Status.SUSPENDED: 18, Status.CANCELLED: 16,
}  # fmt: skip
OWNER_TYPE_COUNTS = {OwnerType.LEADERSHIP_TEAM: 72, T: 84, OwnerType.GRASSROOTS_ORGANISATION: 64, P: 80}
# The main line of the lifecycle: an item reaches a status by passing through those before it.
ORDER = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED)
KEY_LEVEL_OF_DEPTH = {1: KeyLevel.PROVINCE, 2: KeyLevel.CITY, 3: KeyLevel.COUNTY}


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


class _DemoBuilder:
    """Builds the demo in one pass; `rng` makes every run give the same data."""

    def __init__(self) -> None:
        self.rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data, not security
        self.units: dict[str, Unit] = {}
        self.users: dict[str, User] = {}
        self.categories = {category.code: category for category in Category.objects.all()}
        if not self.categories:
            raise RuntimeError(_("There are no categories; run “manage.py migrate” first."))
        self.named_left = {code: list(items) for code, items in NAMED_ITEMS.items()}
        self.titles_used: set[tuple[int, str]] = set()
        self.letters = 0
        self.staffed: set[int] = set()  # ids of units with people, which can take assigned items

    def build_units(self) -> None:
        for code, name, level, parent_code in UNITS:
            self.units[code] = unit_create(name=name, code=code, level=level, parent=self.units.get(parent_code))

    def build_people(self) -> None:
        for login in DEMO_LOGINS:
            self.users[login.username] = user_create(
                username=login.username,
                password=DEMO_PASSWORD,
                full_name=login.full_name,
                unit=self.units[login.unit_code],
                roles=[login.role],
                title=login.title,
                is_superuser=login.role == Role.SYSTEM_ADMIN,
            )
        # Everyone shares the public demo password, so they share its hash too: hashing takes 0.3 s a user.
        demo_hash = self.users[DEMO_LOGINS[0].username].password
        for username, full_name, title, unit_code, _list in PEOPLE:
            self.users[username] = user_create(
                username=username,
                password_hash=demo_hash,
                full_name=full_name,
                unit=self.units[unit_code],
                roles=[Role.OFFICIAL],
                title=title,
            )
        self.staffed = {user.unit_id for user in self.users.values()}

    def places(self, unit: Unit) -> list[str]:
        """Place names an item of `unit` can be about: its own place or the places below it."""
        below = [u.name for u in self.units.values() if u.is_within(unit) and u.level in PLACE_LEVELS]
        while not below:  # departments and party organisations work in their parent's place
            unit = unit.parent
            below = [unit.name] if unit.level in PLACE_LEVELS else []
        return below + NEIGHBOURHOODS.get(unit.code, [])

    def pick_owner(self, owner_type: str) -> tuple[Unit, User]:
        if owner_type in PERSON_OWNED_TYPES:
            usernames = [row[0] for row in PEOPLE if row[4] == owner_type]
            usernames += [name for name, kept in EXTRA_OWNERS.items() if kept == owner_type]
            person = self.users[self.rng.choice(usernames)]
            return person.unit, person
        owners = LEADERSHIP_TEAMS if owner_type == OwnerType.LEADERSHIP_TEAM else GRASSROOTS_ORGANISATIONS
        codes = [code for code, (_creator, weight) in owners.items() for _ in range(weight)]
        code = self.rng.choice(codes)
        return self.units[code], self.users[owners[code][0]]

    def pick_title(self, owner_type: str, unit: Unit) -> tuple[str, str, str]:
        if owner_type not in PERSON_OWNED_TYPES and self.named_left.get(unit.code):
            return self.named_left[unit.code].pop(0)
        fits = UNIT_CATEGORIES.get(unit.code)
        if owner_type in PERSON_OWNED_TYPES:
            # Anyone may receive visitors (基层治理); otherwise people keep to their unit's line of work.
            fits = fits and fits | {"grassroots_governance"}
            pool = tuple(row for row in SERVICE_TITLES[owner_type] if not fits or row[0] in fits)
        else:
            pool = tuple(row for row in PLAN_TITLES if not fits or row[0] in fits)
        for _attempt in range(20):
            category, title, beneficiaries = self.rng.choice(pool)
            place = self.rng.choice(self.places(unit))
            if (unit.pk, title.format(place=place)) not in self.titles_used:
                break
        self.titles_used.add((unit.pk, title.format(place=place)))
        return category, title.format(place=place), beneficiaries.format(place=place)

    def pick_dates(self, target: str) -> tuple[int, datetime.date, datetime.date]:
        """The plan year, start date and deadline; open items lean to this year, done ones to 2021."""
        this_year = today_local().year
        is_open = target not in DONE_STATUSES | {Status.CANCELLED}
        year = BASE_YEAR if self.rng.random() < (0.12 if is_open else 0.65) else this_year
        if year == BASE_YEAR:
            start = datetime.date(year, 4, 1) + datetime.timedelta(days=self.rng.randint(0, 60))
            return year, start, _month_end(year, self.rng.choice([6, 7, 8, 9, 10, 11, 12, 12]))
        start = datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 58))
        months = [10, 11, 12, 12, 12, 12] if is_open else list(range(3, 13))
        return year, start, _month_end(year, self.rng.choice(months))

    def manager(self, unit: Unit, owner: User | None) -> User:
        """Who approves, publishes, assigns, suspends and cancels items of `unit`."""
        if unit.is_within(self.units["WH"]):
            return self.users["unitadmin"]
        if owner is not None and owner.username == "leader":
            return self.users["sysadmin"]  # a leader does not approve their own list
        return self.users["leader"]

    def build_item(self, owner_type: str, target: str) -> WorkItem:
        rng = self.rng
        unit, creator = self.pick_owner(owner_type)
        owner = creator if owner_type in PERSON_OWNED_TYPES else None
        category, title, beneficiaries = self.pick_title(owner_type, unit)
        year, start_date, deadline = self.pick_dates(target)
        source = rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()))[0]
        is_key = KIND_OF_OWNER_TYPE[owner_type] == ItemKind.LIVELIHOOD_PLAN and rng.random() < 0.22
        item = item_create(
            by=creator,
            unit=unit,
            kind=KIND_OF_OWNER_TYPE[owner_type],
            owner_type=owner_type,
            year=year,
            title=title,
            content=f"{title}。{SOURCE_LEADS[source]}",
            category=self.categories[category],
            beneficiaries=beneficiaries,
            responsible_person=creator,
            owner_person=owner,
            requirements=KEY_REQUIREMENTS if is_key else rng.choice(REQUIREMENTS),
            start_date=start_date,
            deadline=deadline,
            is_key=is_key,
            key_level=KEY_LEVEL_OF_DEPTH.get(unit.depth, KeyLevel.TOWNSHIP) if is_key else "",
            source=source,
        )
        return self.drive(item, target=target, worker=creator, manager=self.manager(unit, owner))

    def drive(self, item: WorkItem, *, target: str, worker: User, manager: User) -> WorkItem:
        """Take a new draft to `target` through the lifecycle services, as the right person for each step."""
        rng, supervisor = self.rng, self.users["supervisor"]
        # Suspended and cancelled items leave from an earlier open state; returned ones from completed.
        stop = {
            Status.SUSPENDED: rng.choice([Status.APPROVED, Status.IN_PROGRESS]),
            Status.CANCELLED: rng.choice([Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.IN_PROGRESS]),
            Status.RETURNED: Status.COMPLETED,
        }.get(target, target)
        reached = ORDER[: ORDER.index(stop) + 1]
        if Status.SUBMITTED in reached:
            item = item_submit(item=item, by=worker)
        if Status.APPROVED in reached:
            item = item_approve(item=item, by=manager, note="同意列入清单")
            self.after_approval(item, target=target, manager=manager)
        if Status.IN_PROGRESS in reached:
            item = item_start(item=item, by=worker)
            if Status.COMPLETED in reached and rng.random() < 0.12:  # sent back once, then finished
                item = item_complete(item=item, by=worker, note="已完成")
                item = item_return(item=item, by=supervisor, reason=rng.choice(RETURN_REASONS))
                item = item_start(item=item, by=worker, note="按督导意见整改")
            else:
                for percent, note in PROGRESS_NOTES[: rng.randint(0 if stop == Status.IN_PROGRESS else 1, 3)]:
                    item_post_progress(item=item, by=worker, note=note, percent=percent)
        if Status.COMPLETED in reached:
            item = item_complete(item=item, by=worker, note="已按要求完成,群众反映良好")
        if Status.CLOSED in reached:
            item = item_close(item=item, by=supervisor, note="经现场核查和群众回访,予以销号")
        if target == Status.RETURNED:
            item = item_return(item=item, by=supervisor, reason=rng.choice(RETURN_REASONS))
        elif target == Status.SUSPENDED:
            item = item_suspend(item=item, by=manager, reason=rng.choice(SUSPEND_REASONS))
        elif target == Status.CANCELLED:
            item = item_cancel(item=item, by=manager, reason=rng.choice(CANCEL_REASONS))
        return item

    def after_approval(self, item: WorkItem, *, target: str, manager: User) -> None:
        """Publish, assign down and let the leader claim key items, as happens right after approval."""
        rng = self.rng
        if target != Status.CANCELLED and rng.random() < 0.65:
            item_publish(item=item, by=manager, note="向社会公示")
        children = [unit for unit in self.units.values() if unit.parent_id == item.unit_id and unit.pk in self.staffed]
        if item.owner_type == OwnerType.LEADERSHIP_TEAM and children and rng.random() < 0.25:
            self.letters += 1
            item_assign(
                item=item,
                by=manager,
                responsible_unit=rng.choice(children),
                letter=f"{item.unit.name}交办函〔{item.year}〕{self.letters}号",
            )
        if item.is_key and rng.random() < 0.75:
            item_claim(item=item, by=self.users["leader"], note="领办")

    def spread_over_time(self) -> None:
        """Give each item's story plausible dates instead of all happening now.

        The services stamp every step with the current time, so a freshly loaded demo would have
        nothing in any past week's report. Items of BASE_YEAR are replayed from their start date;
        this year's items over the last ten weeks, so the recent weekly reports have something to say.
        Only timestamps are rewritten; who did what, in which order, stays as the services recorded it.
        """
        rng, now = self.rng, timezone.now()
        items = list(WorkItem.objects.prefetch_related("transitions", "progress_updates"))
        transitions, updates = [], []
        for item in items:
            if item.year == BASE_YEAR:
                moment = timezone.make_aware(datetime.datetime.combine(item.start_date, datetime.time(9)))
            else:
                moment = now - datetime.timedelta(days=rng.uniform(10, 75))
            steps = list(item.transitions.all())
            latest = now - datetime.timedelta(hours=1)
            gap = (latest - moment) / max(len(steps), 1)
            progress = iter(sorted(item.progress_updates.all(), key=lambda update: (update.at, update.pk)))
            for step in steps:
                moment = min(moment + gap * rng.uniform(0.3, 1.0), latest)
                step.at = moment
                if step.action == Action.POST_PROGRESS:
                    update = next(progress)
                    update.at = moment
                    updates.append(update)
                if step.action == Action.COMPLETE:
                    item.completed_on = timezone.localdate(moment)
                if step.action == Action.CLOSE:
                    item.closed_at = moment
                if step.action == Action.PUBLISH:
                    item.published_at = moment
            item.created_at = steps[0].at if steps else moment
            if item.status not in DONE_STATUSES:
                item.completed_on = None
            transitions.extend(steps)
        ItemTransition.objects.bulk_update(transitions, ["at"], batch_size=500)
        ProgressUpdate.objects.bulk_update(updates, ["at"], batch_size=500)
        # Completion dates move between weeks, so the dashboard counters follow the bulk update.
        with counters_follow(item.pk for item in items):
            WorkItem.objects.bulk_update(
                items, ["created_at", "completed_on", "closed_at", "published_at"], batch_size=500
            )

    def build_items(self) -> int:
        statuses = [status for status, count in STATUS_COUNTS.items() for _ in range(count)]
        owner_types = [owner_type for owner_type, count in OWNER_TYPE_COUNTS.items() for _ in range(count)]
        self.rng.shuffle(statuses)
        self.rng.shuffle(owner_types)
        for owner_type, status in zip(owner_types, statuses, strict=True):
            self.build_item(owner_type, status)
        return len(statuses)


def demo_load(*, stdout: TextIOBase | None = None) -> bool:
    """Load the demo into an empty database; False, and nothing written, when any unit exists."""
    if Unit.objects.exists():
        return False
    with transaction.atomic():
        builder = _DemoBuilder()
        builder.build_units()
        builder.build_people()
        item_count = builder.build_items()
        builder.spread_over_time()
    # The last two reports of each kind, so the archive has something to show and compare.
    today = timezone.localdate()
    for kind in ReportKind:
        due = period_due_on(kind, today)
        for period in (previous_period(due), due):
            reports_produce(kind=kind, period=period)
    if stdout is not None:
        stdout.write(
            _("Created %(units)d units, %(people)d people and %(items)d items.")
            % {"units": len(builder.units), "people": len(builder.users), "items": item_count}
            + "\n"
        )
    return True


def demo_logins() -> list[User]:
    """The demo logins present in the database, in the order of DEMO_LOGINS."""
    users = {
        user.username: user for user in User.objects.filter(username__in=[login.username for login in DEMO_LOGINS])
    }
    return [users[login.username] for login in DEMO_LOGINS if login.username in users]
