"""Facts and events of 003-12, 杭向未来·大学生创业创新三年行动计划(2020—2022年) (杭政办函〔2020〕11号).

Its beneficiaries are mostly people: 应届毕业生 (new graduates) who come to work in Hangzhou, 创业导师
(start-up mentors), 博士后 (postdoctoral researchers); besides them 大学生创业企业 (start-ups founded by
students or recent graduates), 博士后工作站 host units, 大学生创业园 (start-up parks) and training
organisations. Recognitions and selections are events; a person's housing and income are yearly facts.

District names are those of 2020, as the text writes them (上城区、下城区、江干区 …). The 2021
re-division merged 下城区 into today's 拱墅区 and most of 江干区 into today's 上城区 (its 下沙、白杨
街道 went to the new 钱塘区); an enterprise records the district of its founding under the 2020 name.
"""

from __future__ import annotations

from huiqi.rules.factspec import (
    ALL_KINDS,
    INDUSTRIES,
    ORGS,
    AttrSpec,
    EntityKind,
    EventSpec,
    FactSpec,
    FactType,
    Period,
    money_fact,
)

_TALENT = (EntityKind.TALENT,)
_ENTERPRISE = (EntityKind.ENTERPRISE,)
_DEGREES = ("本科", "硕士", "博士")
_DEGREE = AttrSpec("degree", "学历", FactType.CODE, _DEGREES)
_SUBJECT = AttrSpec("subject", "项目/专利/活动编号", FactType.TEXT, required=False)
# 003-12/二/（一）/3: "富阳区、临安区、桐庐县、淳安县、建德市等西部区、县（市）"
WESTERN_COUNTIES = ("富阳区", "临安区", "桐庐县", "淳安县", "建德市")

FACTS = (
    FactSpec(
        "has_home_in_hangzhou",
        "在杭州市有房",
        FactType.BOOL,
        Period.YEAR,
        _TALENT,
        doc="003-12/二/（一）/3: the rent subsidy is for graduates 在杭州市无房 (per household, 每户)",
    ),
    FactSpec(
        "has_housing_benefit",
        "已享受公共租赁住房、人才租赁房等住房优惠政策",
        FactType.BOOL,
        Period.YEAR,
        _TALENT,
        doc="003-12/二/（一）/3: a graduate already housed by 公租房 / 人才租赁房 gets no rent subsidy",
    ),
    FactSpec(
        "graduate_rent_subsidy_year",
        "应届毕业生租房补贴的第几个发放年度",
        FactType.INT,
        Period.YEAR,
        _TALENT,
        unit="年",
        doc=(
            "003-12/二/（一）/3: 1 in the first year the graduate (本科及以上应届毕业生来杭工作) could draw "
            "the rent subsidy, 2 the next …; years 1–3 are paid outright, 4–6 only on low income"
        ),
    ),
    money_fact("annual_income_fen", "个人年收入", _TALENT, doc="003-12/二/（一）/3: 期满后收入低于…"),
    money_fact(
        "urban_disposable_income_per_capita_fen",
        "杭州市城镇居民人均可支配收入（当年公布数）",
        _TALENT,
        doc="003-12/二/（一）/3: the official statistic of the year, compared with the graduate's income",
    ),
    FactSpec(
        "is_credit_blacklisted",
        "被列入国家、省、市失信黑名单",
        FactType.BOOL,
        Period.YEAR,
        ALL_KINDS,
        doc="003-12/三/24: 对被列入国家、省、市失信黑名单的…拒绝提供财政资金支持",
    ),
    FactSpec(
        "founder_years_after_graduation",
        "创办人创办企业时毕业年限（在校生为0）",
        FactType.INT,
        Period.STATIC,
        _ENTERPRISE,
        unit="年",
        doc=(
            "003-12/二/（二）/6、7: a 大学生创业企业 is founded by a student of a Hangzhou university (0) or "
            "a graduate within 5 years of graduating (1–5); absent for any other founder"
        ),
    ),
    FactSpec(
        "is_postdoc_in_station",
        "博士后在站",
        FactType.BOOL,
        Period.YEAR,
        _TALENT,
        doc="003-12/二/（四）/17: 博士后每人每年12万元生活补贴 while in the station",
    ),
)

EVENTS = (
    EventSpec(
        "graduate_employed_in_hangzhou",
        "应届毕业生来杭工作",
        _TALENT,
        (_DEGREE,),
        doc=(
            "003-12/二/（一）/3, 003-01/一/3: a new graduate (本科及以上, 全球; 含毕业5年内的回国留学人员、"
            "外国人才) starts work in Hangzhou; dated on the first day of work"
        ),
    ),
    EventSpec(
        "western_county_service",
        "应届大学毕业生在西部区、县（市）工作年限届满",
        _TALENT,
        (
            AttrSpec("county", "工作所在区、县（市）", FactType.CODE, (*WESTERN_COUNTIES, "其他")),
            AttrSpec("years_served", "已工作年数", FactType.INT, unit="年"),
            _DEGREE,
        ),
        doc="003-12/二/（一）/3: dated on the day the graduate completes years_served years of work there",
    ),
    EventSpec(
        "talent_program_selected",
        "入选人才计划",
        ALL_KINDS,
        (
            AttrSpec(
                "program",
                "人才计划",
                FactType.CODE,
                (
                    "国家青年人才培养计划",
                    "省青年人才培养计划",
                    "市全球引才521计划青年人才",
                    "市万人计划青年拔尖人才",
                    "市领军型青年创新创业团队",
                    "大学生杰出创业人才培育计划",
                    "国家万人计划",
                    "省领军型创新创业团队",
                    "市领军型创新创业团队",
                ),
            ),
            AttrSpec("field", "领域", FactType.CODE, INDUSTRIES, required=False),
        ),
        doc=(
            "a person (or team lead) selected into a named talent programme; dated on the selection "
            "notice; field is the team's domain where a document pays one domain only (003-08/八: 人工智能)"
        ),
    ),
    EventSpec(
        "guidance_station_established",
        "新建大学生就业创业指导站",
        ORGS,
        (_SUBJECT,),
        doc="003-12/二/（一）/4: a new 高校就业创业指导站 (the host university or its operator)",
    ),
    EventSpec(
        "returnee_startup_project",
        "高层次留学回国人员（团队）在杭创业创新项目获资助评审",
        (EntityKind.TALENT, EntityKind.ENTERPRISE),
        (AttrSpec("special", "特别项目（一事一议）", FactType.BOOL), _SUBJECT),
        doc="003-12/二/（二）/6",
    ),
    EventSpec(
        "graduate_startup_approved",
        "大学生新创办企业无偿资助评审通过",
        _ENTERPRISE,
        (
            AttrSpec("excellent", "优秀项目（一事一议）", FactType.BOOL),
            AttrSpec("local_grant_fen", "当地无偿资助额", FactType.MONEY, required=False, unit="分"),
            _SUBJECT,
        ),
        doc=(
            "003-12/二/（二）/6: the start-up's project passed review; local_grant_fen is the grant the "
            "district or county paid outside the six urban districts and 富阳区 (the city adds 50%)"
        ),
    ),
    EventSpec(
        "invention_patent_granted",
        "发明专利授权",
        (EntityKind.ENTERPRISE, EntityKind.TALENT),
        (
            AttrSpec("region", "授权国家或地区", FactType.CODE, ("国内", "美国", "日本", "欧洲", "其他")),
            AttrSpec("service_invention", "职务发明", FactType.BOOL),
            _SUBJECT,
        ),
        doc="003-12/二/（二）/9: one event per patent, dated on the grant",
    ),
    EventSpec(
        "startup_competition_award",
        "创业创新大赛获奖",
        ALL_KINDS,
        (
            AttrSpec(
                "competition",
                "大赛",
                FactType.CODE,
                ("市长杯", "创客天下", "中国杭州大学生创业大赛", "创青春", "互联网+"),
            ),
            AttrSpec(
                "prize",
                "奖项",
                FactType.CODE,
                ("金奖", "银奖", "铜奖", "优胜奖", "获奖", "400强"),
            ),
            AttrSpec("landed_in_hangzhou", "在杭落地", FactType.BOOL, required=False),
            _SUBJECT,
        ),
        doc=(
            "003-12/二/（二）/9, （四）/16: 市长杯 高价值知识产权创新创业大赛 and the start-up contests; "
            "金奖/银奖/铜奖 also stand for 前三等相当奖项; 400强 = 入围大赛400强以上"
        ),
    ),
    EventSpec(
        "training_org_selected",
        "创业培训机构、垂直培育示范基地择优评选",
        ORGS,
        (AttrSpec("kind", "类别", FactType.CODE, ("创业培训机构", "垂直培育示范基地")),),
        doc="003-12/二/（三）/14: each year about 10 of each are selected",
    ),
    EventSpec(
        "mentor_pairing",
        "创业导师结对辅导1名大学生或1个大学生创业团队",
        _TALENT,
        (_SUBJECT,),
        doc="003-12/二/（三）/15: one event per pairing",
    ),
    EventSpec(
        "mentor_startup_success",
        "创业导师指导新办企业领取营业执照并稳定经营",
        _TALENT,
        (
            AttrSpec("district", "领取营业执照所在区（2020年区划）", FactType.TEXT),
            AttrSpec("months_operated", "稳定经营月数", FactType.INT, unit="月"),
            _SUBJECT,
        ),
        doc="003-12/二/（三）/15: dated when the guided enterprise has operated months_operated months",
    ),
    EventSpec(
        "mentor_service_activity",
        "创业导师参加宣讲、咨询、赛事评审等专项服务活动",
        _TALENT,
        (_SUBJECT,),
        doc="003-12/二/（三）/15: one event per person per activity (每人每次)",
    ),
    EventSpec(
        "postdoc_station_established",
        "新设立博士后流动站、工作站",
        ORGS,
        (
            AttrSpec("station", "站别", FactType.CODE, ("流动站", "工作站")),
            AttrSpec("level", "级别", FactType.CODE, ("国家", "省")),
        ),
        doc="003-12/二/（四）/17",
    ),
    EventSpec(
        "postdoc_enrolled",
        "博士后进站",
        ALL_KINDS,
        (AttrSpec("from_abroad", "国（境）外博士后", FactType.BOOL), _SUBJECT),
        doc=(
            "003-12/二/（四）/17: on the host unit's profile (设站单位, one event per postdoc) and on the "
            "postdoc's own profile; subject names the postdoc"
        ),
    ),
    EventSpec(
        "postdoc_left_station_stayed",
        "博士后出站留杭（来杭）工作",
        _TALENT,
        (),
        doc="003-12/二/（四）/17",
    ),
    EventSpec(
        "startup_park_recognized",
        "认定市级大学生创业园、留学人员创业园",
        (EntityKind.CARRIER,),
        (AttrSpec("park_type", "园区类别", FactType.CODE, ("大学生创业园", "留学人员创业园")),),
        doc="003-12/二/（四）/18: a park gathering 30 or more student start-ups can be recognised",
    ),
    EventSpec(
        "startup_park_assessed",
        "市级大学生创业园、留学人员创业园两年一次考核",
        (EntityKind.CARRIER,),
        (
            AttrSpec("park_type", "园区类别", FactType.CODE, ("大学生创业园", "留学人员创业园")),
            AttrSpec("grade", "考核等次", FactType.CODE, ("优秀", "良好", "合格", "不合格")),
        ),
        doc="003-12/二/（四）/18",
    ),
    EventSpec(
        "student_brand_event_selected",
        "社会组织主办的大学生创业创新品牌活动择优评选",
        ORGS,
        (_SUBJECT,),
        doc="003-12/二/（五）/22: about 10 a year",
    ),
)
