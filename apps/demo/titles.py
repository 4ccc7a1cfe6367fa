"""Words of the demo data, the one source for the demo and the scale generator: titles, requirements, reasons."""

from __future__ import annotations

from apps.demo.cast import P, T
from apps.items.models import Source

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
    ("business_environment", "{place}“容缺受理”服务，次要材料先承诺后补齐", "{place}办事企业和群众"),
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
        ("grassroots_governance", "开门接访，面对面倾听{place}群众诉求", "{place}来访群众"),
        ("housing", "带队调研{place}老旧小区治理", "{place}老旧小区居民"),
        ("education", "督办{place}C级不安全校舍拆除重建", "{place}在校师生"),
        ("business_environment", "走访{place}企业，帮助解决用工融资难题", "{place}中小企业"),
        ("grassroots_governance", "“四个一”联系{place}一个村、一个单位、一个重点项目", "{place}群众"),
        ("transport_parking", "领办{place}停车难问题", "{place}驾车群众"),
        ("elderly_care", "联系{place}养老服务机构，推动提升服务质量", "{place}老年人"),
        ("employment", "联系{place}脱贫户，帮助落实就业岗位", "{place}脱贫劳动力"),
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
    Source.SUPERVISION: "专项督导中发现的问题，限期解决。",
    Source.ASSIGNED: "上级以交办函形式交办。",
    Source.SELF: "结合单位职责主动认领。",
}
REQUIREMENTS = (
    "明确责任单位、责任人、工作要求和完成时限，每周报送进展。",
    "挂图作战、逐项推进，按月报送进展情况，事结销号。",
    "佐证材料齐全，群众满意度回访不低于90%。",
)
KEY_REQUIREMENTS = "按照“一个项目、一个方案、一名领导、一个专班、一抓到底”推进，半月报送进展。"
PROGRESS_NOTES = ((25, "已完成走访调研，制定工作方案"), (50, "工作推进过半，已解决部分群众诉求"),
                  (75, "主体工作基本完成，正在收集佐证材料"))  # fmt: skip
RETURN_REASONS = ("佐证材料不全，请补充完工验收照片", "暗访发现仍有群众反映问题未解决", "群众满意度回访未达标")
DECLINE_REASONS = ("该事项不属于本单位职责范围，请重新交办", "涉及跨部门协调，建议由上级统筹办理")
EXTENSION_REASONS = (
    "征地拆迁手续尚未办结，需顺延工期",
    "受连续降雨影响，施工进度滞后",
    "设备采购招标流标，需重新组织招标",
)
SUSPEND_REASONS = ("项目用地手续待审批，暂缓实施", "雨季不具备施工条件，暂停施工", "配套资金尚未到位")
CANCEL_REASONS = ("与市级重点项目重复，合并办理", "经调研群众需求已通过其他渠道解决", "规划调整，项目不再实施")
