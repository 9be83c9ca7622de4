"""The code tables a new installation starts with: retention periods, categories and filing scopes.

Everything here is data the bureau may edit afterwards. ``install_defaults`` only adds what is missing
(matched by code), so it never undoes an edit and can run again after an upgrade adds new defaults.
It runs from a data migration with historical models, so it uses plain field values, never model methods.
"""

from dangan.catalogue.references import (
    DEFAULT_ITEM_TEMPLATE,
    DEFAULT_VOLUME_ITEM_TEMPLATE,
    DEFAULT_VOLUME_TEMPLATE,
)

# Categories whose items are not produced by an internal office: an organisation code would be noise.
NO_ORG_ITEM_TEMPLATE = "{fonds}-{category}·{year}-{retention}-{number:04}"

# code, name, years, active, replaced_by, order
RETENTIONS = [
    ("Y", "永久", None, True, None, 1),
    ("D30", "定期30年", 30, True, None, 2),
    ("D10", "定期10年", 10, True, None, 3),
    # 国家档案局令第8号 (2006) replaced 永久/长期/短期; records filed before 2006 still carry the old periods.
    ("CQ", "长期", None, False, "D30", 4),
    ("DQ", "短期", None, False, "D10", 5),
]

ITEM, VOLUME = "item", "volume"

# code, name, filing level, item template, description, extra fields (key, label, type, required, choices)
CATEGORIES = [
    ("WS", "文书", ITEM, DEFAULT_ITEM_TEMPLATE,
     "党政管理活动中形成的公文、会议、计划总结等文件材料（DA/T 22-2015 按件整理）", []),
    ("KJ", "科技", VOLUME, DEFAULT_ITEM_TEMPLATE,
     "科研、基本建设、设备等科技活动形成的文件材料，按项目组卷", []),
    ("KU", "会计", VOLUME, DEFAULT_ITEM_TEMPLATE,
     "会计凭证（01）、会计账簿（02）、财务会计报告（03）和其他会计资料（04），"
     "按《会计档案管理办法》组卷", []),
    ("RS", "人事", VOLUME, DEFAULT_ITEM_TEMPLATE,
     "干部、职工人事档案以外的人事管理文件材料，按人或按年度组卷", []),
    ("ZP", "照片", ITEM, NO_ORG_ITEM_TEMPLATE, "纸质照片和数码照片（DA/T 50-2014、DA/T 54）", [
        ("photographer", "摄影者", "text", False, ""),
        ("place", "拍摄地点", "text", False, ""),
        ("people", "人物", "text", False, ""),
        ("photo_number", "照片号", "text", False, ""),
    ]),
    ("LY", "录音", ITEM, NO_ORG_ITEM_TEMPLATE, "录音档案（DA/T 63）", [
        ("recorder", "录制者", "text", False, ""),
        ("duration", "时长（分钟）", "number", False, ""),
        ("place", "地点", "text", False, ""),
    ]),
    ("LX", "录像", ITEM, NO_ORG_ITEM_TEMPLATE, "录像档案（DA/T 63）", [
        ("recorder", "录制者", "text", False, ""),
        ("duration", "时长（分钟）", "number", False, ""),
        ("place", "地点", "text", False, ""),
    ]),
    ("SW", "实物", ITEM, NO_ORG_ITEM_TEMPLATE, "奖牌、证书、印章、题词等实物档案", [
        ("object_name", "实物名称", "text", False, ""),
        ("size", "尺寸", "text", False, ""),
        ("material", "材质", "text", False, ""),
        ("quantity", "数量", "number", False, ""),
    ]),
    ("SJ", "业务数据", ITEM, NO_ORG_ITEM_TEMPLATE, "业务系统导出的数据库、数据表等电子档案", []),
    ("WY", "网页", ITEM, NO_ORG_ITEM_TEMPLATE, "政府网站、公众号等网页归档", []),
    ("YJ", "公务电子邮件", ITEM, DEFAULT_ITEM_TEMPLATE, "公务电子邮件及其附件", []),
    ("HY", "婚姻登记", ITEM, NO_ORG_ITEM_TEMPLATE, "婚姻登记机关形成的专业档案，永久保管", [
        ("husband_name", "男方姓名", "text", True, ""),
        ("husband_id_number", "男方身份证号", "id_number", True, ""),
        ("wife_name", "女方姓名", "text", True, ""),
        ("wife_id_number", "女方身份证号", "id_number", True, ""),
        ("registration_type", "登记类别", "choice", True, "结婚,离婚,补发"),
    ]),
    ("TD", "土地承包", ITEM, NO_ORG_ITEM_TEMPLATE, "农村土地承包经营权合同、登记等专业档案", [
        ("contractor", "承包方", "text", True, ""),
        ("contractor_id_number", "承包方身份证号", "id_number", False, ""),
        ("plot_code", "地块编码", "text", False, ""),
        ("area_mu", "面积（亩）", "number", False, ""),
        ("term", "承包期限", "text", False, ""),
    ]),
]

# unit type, name, basis, [(number, description, category, retention, keywords)]
SCHEDULES = [
    ("department", "机关文件材料归档范围和文书档案保管期限表",
     "国家档案局令第8号《机关文件材料归档范围和文书档案保管期限规定》", [
         ("1.1", "本机关召开的党组会、局务会、办公会等重要会议的纪要、记录、决定", "WS", "Y",
          "会议纪要,会议记录,党组会,局务会,办公会,常务会议"),
         ("1.2", "本机关召开的一般工作会议、专题会议的文件材料", "WS", "D10",
          "工作会议,座谈会,推进会,培训会"),
         ("2.1", "上级机关颁发的属于本机关主管业务并要贯彻执行的文件", "WS", "D30", "转发,贯彻落实,实施意见"),
         ("2.2", "上级机关颁发的非本机关主管业务但要贯彻执行的文件", "WS", "D10", "通知"),
         ("3.1", "本机关向上级机关的请示与上级机关的批复", "WS", "Y", "请示,批复"),
         ("3.2", "本机关向上级机关报送的工作情况报告", "WS", "D30", "报告,情况汇报"),
         ("4.1", "本机关制定的规范性文件、管理办法、实施方案", "WS", "Y", "办法,规定,实施方案,细则"),
         ("4.2", "本机关年度工作计划、总结", "WS", "Y", "工作计划,工作总结,年度计划,工作要点"),
         ("4.3", "本机关半年、季度、月度工作计划、总结", "WS", "D10", "半年,季度,月度"),
         ("5.1", "本机关机构设置、人员编制、干部任免的文件材料", "WS", "Y",
          "机构设置,编制,任免,任职,免职,内设机构"),
         ("5.2", "本机关职工录用、调配、工资、退休的文件材料", "WS", "D30", "录用,调配,工资,退休,招聘"),
         ("6.1", "本机关年度财务预算、决算", "WS", "Y", "预算,决算"),
         ("6.2", "本机关审计、资产管理、政府采购文件材料", "WS", "D30", "审计,国有资产,政府采购,资产"),
         ("7.1", "本机关表彰奖励先进集体和个人的决定", "WS", "Y", "表彰,先进集体,先进个人,嘉奖"),
         ("7.2", "本机关处分、处理违纪人员的文件材料", "WS", "Y", "处分,违纪"),
         ("8.1", "本机关签订的合同、协议", "WS", "D30", "合同,协议"),
         ("8.2", "群众来信来访处理材料", "WS", "D10", "信访,来信,来访"),
         ("9.1", "本机关大事记、年鉴、组织沿革", "WS", "Y", "大事记,年鉴,组织沿革"),
         ("9.2", "本机关年度统计报表", "WS", "Y", "统计年报,年度统计"),
         ("9.3", "本机关主管业务的检查、督查、通报材料", "WS", "D10", "检查,督查,通报"),
         ("10.1", "本机关重要活动的照片、录音、录像", None, "Y", "照片,录音,录像,活动"),
     ]),
    ("town", "乡镇档案归档范围与保管期限表", "国家档案局令第18号《乡镇档案工作办法》", [
         ("1.1", "乡镇党委会、政府常务会、镇长办公会议的纪要、记录", "WS", "Y",
          "会议纪要,会议记录,党委会,常务会,镇长办公会,乡长办公会"),
         ("1.2", "乡镇人民代表大会、党代会的文件材料", "WS", "Y", "人民代表大会,人代会,党代会,代表大会"),
         ("1.3", "乡镇一般工作会议、专题会议文件材料", "WS", "D10", "工作会议,推进会,调度会,培训"),
         ("2.1", "上级机关颁发的需本乡镇贯彻执行的文件", "WS", "D10", "通知,转发"),
         ("2.2", "本乡镇向上级的请示与上级机关的批复", "WS", "Y", "请示,批复"),
         ("3.1", "本乡镇年度工作计划、总结、报告", "WS", "Y", "工作计划,工作总结,年度计划,工作报告"),
         ("3.2", "本乡镇印发的实施方案、管理制度", "WS", "D30", "实施方案,制度,办法"),
         ("4.1", "村（社区）两委换届选举工作材料", "WS", "Y", "换届选举,选举,村民委员会,两委"),
         ("4.2", "农村土地承包、流转、宅基地审批材料", None, "Y", "土地承包,土地流转,宅基地,承包合同"),
         ("4.3", "征地拆迁、补偿安置材料", "WS", "Y", "征地,拆迁,补偿,安置"),
         ("5.1", "乡镇财政预算、决算及审计材料", "WS", "Y", "预算,决算,审计"),
         ("5.2", "最低生活保障、特困救助、优抚安置材料", "WS", "D30", "低保,最低生活保障,救助,特困,优抚"),
         ("5.3", "安全生产、防汛抗旱、森林防火工作材料", "WS", "D30", "安全生产,防汛,抗旱,防火,应急"),
         ("5.4", "人居环境整治、秸秆禁烧、环境保护工作材料", "WS", "D10", "人居环境,秸秆,禁烧,环境整治"),
         ("6.1", "乡镇表彰奖励、干部任免材料", "WS", "Y", "表彰,任免,先进"),
         ("6.2", "群众来信来访及矛盾纠纷调解材料", "WS", "D30", "信访,调解,纠纷"),
         ("7.1", "乡镇重要活动照片、录音、录像", None, "Y", "照片,录像,录音"),
         ("7.2", "乡镇大事记、统计年报", "WS", "Y", "大事记,统计年报"),
     ]),
    ("village", "村级档案归档范围与保管期限表", "国家档案局令第12号《村级档案管理办法》", [
         ("1.1", "村党组织、村民委员会换届选举材料", "WS", "Y", "换届选举,选举,选民,候选人"),
         ("1.2", "村民会议、村民代表会议的记录、决议", "WS", "Y",
          "村民代表会议,村民代表大会,村民会议,居民代表会议,会议记录,会议纪要,决议"),
         ("1.3", "村党支部会议、村两委联席会议记录", "WS", "Y", "支部会议,两委,联席会议"),
         ("2.1", "村规民约、村民自治章程", "WS", "Y", "村规民约,自治章程"),
         ("2.2", "村年度工作计划、总结", "WS", "D30", "工作计划,工作总结"),
         ("3.1", "土地承包合同及承包经营权登记材料", None, "Y", "土地承包,承包合同,确权,经营权"),
         ("3.2", "宅基地申请、审批材料", "WS", "Y", "宅基地,建房"),
         ("3.3", "集体资产、资源登记和承包、租赁合同", "WS", "D30", "集体资产,租赁,合同,资源"),
         ("4.1", "村集体财务收支、审计和村务公开材料", "WS", "D30",
          "财务收支,村务公开,居务公开,财务公开,审计"),
         ("4.2", "一事一议筹资筹劳材料", "WS", "D30", "一事一议,筹资,筹劳"),
         ("5.1", "低保、五保、救助对象评议材料", "WS", "D30", "低保,五保,救助,评议"),
         ("5.2", "上级下发需本村执行的文件", "WS", "D10", "通知,转发"),
         ("5.3", "人居环境、防汛、安全工作材料", "WS", "D10", "人居环境,防汛,安全,环境整治"),
         ("6.1", "本村重要活动、村容村貌照片", None, "Y", "照片,村貌"),
     ]),
    ("enterprise", "企业文件材料归档范围和档案保管期限表",
     "国家档案局令第10号《企业文件材料归档范围和档案保管期限规定》", [
         ("1.1", "股东会、董事会、监事会、党委会会议文件材料", "WS", "Y",
          "股东会,董事会,监事会,党委会,会议纪要,决议"),
         ("1.2", "总经理办公会、专题会议文件材料", "WS", "D30", "总经理办公会,专题会议,经理办公会"),
         ("2.1", "企业设立、变更、章程、营业执照材料", "WS", "Y", "章程,营业执照,设立,变更登记"),
         ("2.2", "企业发展规划、年度计划和总结", "WS", "Y", "发展规划,年度计划,工作计划,工作总结"),
         ("2.3", "企业管理制度", "WS", "D30", "制度,办法,规定"),
         ("3.1", "重要合同、协议", "WS", "D30", "合同,协议,招标,中标"),
         ("3.2", "投资、融资、担保文件材料", "WS", "Y", "投资,融资,担保,贷款"),
         ("4.1", "干部任免、机构设置文件", "WS", "Y", "任免,机构设置,聘任"),
         ("4.2", "劳动工资、社会保险、职工招聘材料", "WS", "D30", "工资,社会保险,招聘,劳动合同"),
         ("5.1", "年度财务报告、审计报告", None, "Y", "财务报告,审计报告,决算"),
         ("5.2", "安全生产、质量管理文件材料", "WS", "D30", "安全生产,质量,事故"),
         ("6.1", "上级和政府部门来文", "WS", "D10", "通知,转发"),
         ("6.2", "企业宣传、荣誉、重要活动材料", None, "Y", "荣誉,表彰,照片,活动"),
     ]),
    ("project", "建设项目文件归档范围与保管期限表", "DA/T 28-2018《建设项目档案管理规范》", [
         ("1.1", "项目建议书、可行性研究报告及其批复", "KJ", "Y", "项目建议书,可行性研究,可研,立项"),
         ("1.2", "建设用地、规划许可、环境影响评价文件", "KJ", "Y", "用地,规划许可,环境影响,环评,土地"),
         ("1.3", "工程勘察报告、地质勘察资料", "KJ", "Y", "勘察,地质"),
         ("2.1", "初步设计、施工图设计文件及审查意见", "KJ", "Y", "初步设计,施工图,设计变更,图纸审查"),
         ("2.2", "招标投标文件、中标通知书", "KJ", "D30", "招标,投标,中标"),
         ("2.3", "勘察、设计、施工、监理合同", "KJ", "D30", "合同"),
         ("3.1", "施工组织设计、施工方案、技术交底", "KJ", "D30", "施工组织设计,施工方案,技术交底"),
         ("3.2", "隐蔽工程验收记录、分部分项工程质量验收记录", "KJ", "Y", "隐蔽工程,分部,分项,质量验收"),
         ("3.3", "原材料、构配件出厂合格证及进场检验报告", "KJ", "D30", "合格证,检验报告,检测报告,进场"),
         ("3.4", "施工日志、施工记录", "KJ", "D10", "施工日志,施工记录"),
         ("4.1", "监理规划、监理实施细则、监理月报和监理日志", "KJ", "D30",
          "监理规划,监理细则,监理月报,监理日志,监理"),
         ("4.2", "工程质量评估报告", "KJ", "Y", "质量评估"),
         ("5.1", "竣工图", "KJ", "Y", "竣工图"),
         ("5.2", "竣工验收报告、专项验收和备案文件", "KJ", "Y", "竣工验收,验收报告,专项验收,备案"),
         ("5.3", "工程结算、竣工财务决算和审计报告", "KJ", "Y", "结算,决算,审计"),
         ("6.1", "项目建设领导小组会议纪要及管理文件", "WS", "Y", "会议纪要,领导小组"),
         ("6.2", "项目建设一般通知、简报", "WS", "D10", "通知,简报"),
         ("6.3", "项目建设过程照片、录像", None, "Y", "照片,录像,航拍"),
     ]),
]


def install_defaults(apps=None) -> None:
    """Add the default code tables that are missing.

    ``apps`` is a data migration's registry of historical models; leave it out to use the live models.
    """
    if apps is None:
        from django.apps import apps
    retentions = _install_retentions(apps.get_model("catalogue", "Retention"))
    categories = _install_categories(apps.get_model("catalogue", "Category"),
                                     apps.get_model("catalogue", "CategoryField"))
    _install_schedules(apps.get_model("catalogue", "RetentionSchedule"),
                       apps.get_model("catalogue", "ScheduleEntry"), categories, retentions)


def _install_retentions(Retention) -> dict:
    by_code = {}
    for code, name, years, active, replaced_by, order in RETENTIONS:
        by_code[code], _created = Retention.objects.get_or_create(code=code, defaults={
            "name": name, "years": years, "active": active, "order": order,
            "replaced_by": by_code.get(replaced_by),
        })
    return by_code


def _install_categories(Category, CategoryField) -> dict:
    by_code = {}
    for order, (code, name, level, item_template, description, fields) in enumerate(CATEGORIES, start=1):
        category, _created = Category.objects.get_or_create(code=code, defaults={
            "name": name, "filing_level": level, "item_template": item_template,
            "volume_template": DEFAULT_VOLUME_TEMPLATE, "volume_item_template": DEFAULT_VOLUME_ITEM_TEMPLATE,
            "description": description, "order": order * 10,
        })
        by_code[code] = category
        for field_order, (key, label, field_type, required, choices) in enumerate(fields, start=1):
            CategoryField.objects.get_or_create(category=category, key=key, defaults={
                "label": label, "field_type": field_type, "required": required, "choices": choices,
                "order": field_order * 10,
            })
    return by_code


def _install_schedules(RetentionSchedule, ScheduleEntry, categories: dict, retentions: dict) -> None:
    for unit_type, name, basis, entries in SCHEDULES:
        schedule, _created = RetentionSchedule.objects.get_or_create(
            unit_type=unit_type, name=name, defaults={"basis": basis}
        )
        for number, description, category, retention, keywords in entries:
            ScheduleEntry.objects.get_or_create(schedule=schedule, number=number, defaults={
                "description": description, "category": categories.get(category),
                "retention": retentions[retention], "keywords": keywords,
            })
