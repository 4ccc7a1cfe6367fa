"""The demo's cast: the Kunming unit tree, one login per role, the people keeping lists and the items the seeds name."""

from __future__ import annotations

from dataclasses import dataclass

from apps.accounts.models import Role
from apps.items.models import OwnerType
from apps.org.models import UnitLevel

DEMO_PASSWORD = "demo12345"  # noqa: S105 - the published password of the demo logins
DEMO_SEED = 2021

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
