"""The vocabulary the demo data is drawn from: people, places, products, faults, parts.

Plain data only (no database, no randomness). Texts stored in the database are
data, not interface strings, so they are not marked for translation. Master-data
names come as a Chinese and an English name (``core.i18n``: ``name`` and
``name_en``), the way a Chinese manufacturer's catalogue gives them.
"""

# --- People -----------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN_NAMES = (
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "红",
    "建国",
    "志强",
    "海燕",
    "晓东",
    "佳怡",
    "子涵",
    "梓萱",
    "浩然",
    "宇轩",
    "欣怡",
    "思远",
    "雨桐",
    "俊杰",
    "嘉豪",
    "诗涵",
    "晨曦",
    "一鸣",
    "雪梅",
    "国强",
    "婷婷",
    "晓燕",
    "鹏",
    "斌",
    "凯",
    "琳",
    "颖",
    "博文",
    "天宇",
    "若曦",
    "文博",
    "梦琪",
    "志伟",
    "春燕",
)
COMPANY_WORDS = (
    "华信",
    "恒达",
    "远航",
    "鑫源",
    "天成",
    "瑞丰",
    "盛世",
    "宏图",
    "博远",
    "锦程",
    "嘉禾",
    "中联",
    "卓越",
    "新兴",
)
COMPANY_KINDS = (
    "精密制造有限公司",
    "电子科技有限公司",
    "包装有限公司",
    "物业管理有限公司",
    "酒店管理有限公司",
    "智能装备有限公司",
)
EMAIL_DOMAINS = ("example.com", "example.cn", "example.net", "mail.example.org")
# 11-digit mainland mobile numbers start with one of these three-digit prefixes.
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "180",
    "181",
    "182",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)

# --- Places: (province / municipality, city, districts) -----------------------------------

PLACES = (
    ("北京市", "北京市", ("朝阳区", "海淀区", "丰台区", "通州区")),
    ("上海市", "上海市", ("浦东新区", "徐汇区", "闵行区", "静安区")),
    ("天津市", "天津市", ("南开区", "河西区", "滨海新区")),
    ("重庆市", "重庆市", ("渝中区", "江北区", "九龙坡区")),
    ("广东省", "广州市", ("天河区", "越秀区", "番禺区")),
    ("广东省", "深圳市", ("南山区", "福田区", "宝安区", "龙岗区")),
    ("广东省", "东莞市", ("南城街道", "长安镇", "松山湖")),
    ("浙江省", "杭州市", ("西湖区", "滨江区", "余杭区")),
    ("浙江省", "宁波市", ("鄞州区", "海曙区")),
    ("江苏省", "南京市", ("鼓楼区", "江宁区", "玄武区")),
    ("江苏省", "苏州市", ("工业园区", "姑苏区", "吴中区")),
    ("四川省", "成都市", ("武侯区", "锦江区", "高新区")),
    ("湖北省", "武汉市", ("武昌区", "洪山区", "江汉区")),
    ("湖南省", "长沙市", ("岳麓区", "雨花区")),
    ("陕西省", "西安市", ("雁塔区", "碑林区", "未央区")),
    ("山东省", "济南市", ("历下区", "槐荫区")),
    ("山东省", "青岛市", ("市南区", "崂山区", "黄岛区")),
    ("福建省", "厦门市", ("思明区", "湖里区")),
    ("福建省", "福州市", ("鼓楼区", "仓山区")),
    ("河南省", "郑州市", ("金水区", "郑东新区")),
    ("河北省", "石家庄市", ("长安区", "裕华区")),
    ("安徽省", "合肥市", ("蜀山区", "包河区")),
    ("江西省", "南昌市", ("东湖区", "红谷滩区")),
    ("辽宁省", "沈阳市", ("和平区", "浑南区")),
    ("辽宁省", "大连市", ("中山区", "甘井子区")),
    ("黑龙江省", "哈尔滨市", ("南岗区", "道里区")),
    ("吉林省", "长春市", ("朝阳区", "南关区")),
    ("山西省", "太原市", ("小店区", "迎泽区")),
    ("云南省", "昆明市", ("五华区", "盘龙区")),
    ("贵州省", "贵阳市", ("观山湖区", "南明区")),
    ("广西壮族自治区", "南宁市", ("青秀区", "西乡塘区")),
    ("海南省", "海口市", ("龙华区", "美兰区")),
    ("甘肃省", "兰州市", ("城关区", "七里河区")),
    ("内蒙古自治区", "呼和浩特市", ("新城区", "赛罕区")),
    ("新疆维吾尔自治区", "乌鲁木齐市", ("天山区", "沙依巴克区")),
    ("宁夏回族自治区", "银川市", ("兴庆区", "金凤区")),
    ("青海省", "西宁市", ("城中区", "城西区")),
    ("西藏自治区", "拉萨市", ("城关区",)),
)
# City centres, WGS-84 (latitude, longitude): the demo's addresses and the engineers' home bases
# sit near them, so that map links and distances mean something.
CITY_CENTRES = {
    "北京市": (39.9042, 116.4074),
    "上海市": (31.2304, 121.4737),
    "天津市": (39.3434, 117.3616),
    "重庆市": (29.5630, 106.5516),
    "广州市": (23.1291, 113.2644),
    "深圳市": (22.5431, 114.0579),
    "东莞市": (23.0207, 113.7518),
    "杭州市": (30.2741, 120.1551),
    "宁波市": (29.8683, 121.5440),
    "南京市": (32.0603, 118.7969),
    "苏州市": (31.2990, 120.5853),
    "成都市": (30.5728, 104.0668),
    "武汉市": (30.5928, 114.3055),
    "长沙市": (28.2282, 112.9388),
    "西安市": (34.3416, 108.9398),
    "济南市": (36.6512, 117.1201),
    "青岛市": (36.0671, 120.3826),
}
STREETS = (
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "和平路",
    "长江路",
    "黄河路",
    "文化路",
    "科技路",
    "新华路",
    "青年路",
    "滨江大道",
    "世纪大道",
    "学府路",
    "金融街",
    "创业路",
    "工业大道",
    "花园路",
    "南京路",
    "光明路",
)

# --- Departments: (code, Chinese name, English name, kind) -----------------------------------

DEPARTMENTS = (
    ("customer-service", "客服中心", "Customer service", "customer_service"),
    ("tech-support", "技术支持部", "Technical support", "tech_support"),
    ("problem-handling", "问题处理中心", "Problem-handling centre", "problem_handling"),
    ("field-service", "现场服务部", "Field service", "field_service"),
    ("crm", "客户关系管理部", "CRM", "crm"),
    ("data-analysis", "数据分析部", "Data analysis", "data_analysis"),
    ("training-quality", "培训与质量部", "Training & quality", "training_quality"),
    ("production-quality", "生产质量部", "Production / quality", "production_quality"),
    ("finance", "财务部", "Finance", "finance"),
)

# --- Demo logins: (username, role, department code, display name, phone) ---------------------

DEMO_USERS = (
    ("customer", "customer", None, "陈晓明", "13800138000"),
    ("customer2", "customer", None, "林嘉怡", "13900139002"),
    ("customer3", "customer", None, "周建国", "13700137003"),
    ("agent", "agent", "customer-service", "李娜", "13611110001"),
    ("support", "tech_support", "tech-support", "王强", "13611110002"),
    ("engineer", "engineer", "field-service", "张伟", "13611110003"),
    ("engineer2", "engineer", "field-service", "刘洋", "13611110004"),
    ("engineer3", "engineer", "field-service", "陈杰", "13611110005"),
    ("engineer4", "engineer", "field-service", "杨磊", "13611110006"),
    ("engineer5", "engineer", "field-service", "马俊", "13611110007"),
    ("engineer6", "engineer", "field-service", "赵敏", "13611110008"),
    ("complaints", "complaint_handler", "problem-handling", "周婷", "13611110009"),
    ("supervisor", "supervisor", "customer-service", "吴刚", "13611110010"),
    ("manager", "manager", "customer-service", "孙丽", "13611110011"),
    ("finance", "finance", "finance", "郑华", "13611110012"),
    ("quality", "quality", "training-quality", "冯雪", "13611110013"),
    ("analyst", "analyst", "data-analysis", "何俊", "13611110014"),
    ("admin", "admin", None, "黄志明", "13611110015"),
)
# The demo customer who writes (and reads the product's messages) in English; the others in Chinese.
DEMO_CUSTOMERS_IN_ENGLISH = frozenset({"customer2"})
# The demo customers' archive records: username → (kind, tier, region, company name or "").
DEMO_CUSTOMERS = {
    "customer": ("person", "standard", "上海市", ""),
    "customer2": ("person", "key", "北京市", ""),
    "customer3": ("company", "key", "浙江省", "杭州明远精密制造有限公司"),
}

# --- Products -------------------------------------------------------------------------------

# Component classes beyond the three seeded by products' migration: (code, Chinese name, English name, kind).
EXTRA_COMPONENT_CLASSES = (
    ("compressor", "压缩机", "Compressor", "core"),
    ("battery", "电池", "Battery", "accessory"),
    ("servo", "伺服与控制系统", "Servo drives and controllers", "core"),
)
DEFAULT_TERMS = {"main": 36, "accessory": 12, "software": 12}

# code → ((Chinese name, English name), industrial, colours, dealers, mail-in share, models)
# colours and dealers: (Chinese, English) pairs, English empty when the name has none.
# model: (code, Chinese name, English name, serial prefix, warranty months per component class code)
PRODUCT_LINES = {
    "air-conditioner": (
        ("空调", "Air conditioners"),
        False,
        (("白色", "White"), ("香槟金", "Champagne")),
        (("京东自营旗舰店", ""), ("天猫官方旗舰店", ""), ("苏宁易购", ""), ("国美电器", ""), ("华东区授权经销商", "")),
        0.0,
        (
            ("KFR-26GW/A1", "壁挂式空调 1匹", "Wall-mounted AC 1 HP", "AC26", {"compressor": 60}),
            ("KFR-35GW/B3", "壁挂式空调 1.5匹", "Wall-mounted AC 1.5 HP", "AC35", {"compressor": 60}),
            ("KFR-72LW/C2", "立柜式空调 3匹", "Floor-standing AC 3 HP", "AC72", {"compressor": 60}),
            ("MDV-180W/V3", "多联机室外机", "VRF multi-split outdoor unit", "VRF18", {"main": 24, "compressor": 60}),
        ),
    ),
    "smart-lock": (
        ("智能门锁", "Smart locks"),
        False,
        (("曜石黑", "Obsidian"), ("星空灰", "Grey"), ("香槟金", "Champagne")),
        (
            ("京东自营旗舰店", ""),
            ("天猫官方旗舰店", ""),
            ("官方商城", "Official store"),
            ("拼多多品牌店", ""),
            ("家装渠道", "Home-improvement partners"),
        ),
        0.3,
        (
            ("SL-X1", "指纹智能锁 X1", "Fingerprint smart lock X1", "LX1", {}),
            ("SL-X3PRO", "3D人脸识别智能锁 X3 Pro", "Face-recognition lock X3 Pro", "LX3", {"software": 24}),
            ("SL-V5", "可视猫眼智能锁 V5", "Video doorbell lock V5", "LV5", {"software": 24, "battery": 12}),
        ),
    ),
    "camera": (
        ("摄像头", "Cameras"),
        False,
        (("白色", "White"), ("黑色", "Black")),
        (
            ("京东自营旗舰店", ""),
            ("天猫官方旗舰店", ""),
            ("官方商城", "Official store"),
            ("安防工程商", "Security installers"),
        ),
        0.5,
        (
            ("CAM-C2", "室内云台摄像机 2K", "Indoor pan-tilt camera 2K", "CC2", {"main": 24}),
            ("CAM-O5", "室外PoE摄像机 400万", "Outdoor PoE camera 4 MP", "CO5", {"main": 24}),
            ("CAM-P9", "AI追踪摄像机 P9", "AI tracking camera P9", "CP9", {}),
        ),
    ),
    "robot-vacuum": (
        ("扫地机器人", "Robot vacuums"),
        False,
        (("白色", "White"), ("黑色", "Black")),
        (("京东自营旗舰店", ""), ("天猫官方旗舰店", ""), ("官方商城", "Official store"), ("苏宁易购", "")),
        0.6,
        (
            ("RV-S7", "扫地机器人 S7", "Robot vacuum S7", "RS7", {"main": 24, "battery": 12, "accessory": 6}),
            ("RV-S9MAX", "扫拖一体机器人 S9 Max", "Robot vacuum & mop S9 Max", "RS9", {"battery": 12, "accessory": 6}),
        ),
    ),
    "production-line": (
        ("工业生产线", "Industrial production lines"),
        True,
        (("工业灰", "Industrial grey"),),
        (
            ("直销", "Direct sales"),
            ("华南工业代理", "South China industrial agent"),
            ("华东工业代理", "East China industrial agent"),
        ),
        0.0,
        (
            ("PL-SMT2000", "SMT贴片生产线", "SMT assembly line", "PLS", {"main": 12, "servo": 24, "accessory": 6}),
            (
                "PL-PK5000",
                "全自动包装生产线",
                "Automated packaging line",
                "PLP",
                {"main": 12, "servo": 24, "accessory": 6},
            ),
        ),
    ),
}

# Parts per line: (part number, Chinese name, English name, price in CNY). The engineer writes the
# part number and the Chinese name on the report (free text of the report, not master data).
PARTS = {
    "air-conditioner": (
        ("AC-PCB-35", "主控板", "Main control board", "380.00"),
        ("AC-CMP-35", "压缩机", "Compressor", "1450.00"),
        ("AC-FAN-IN", "室内风机", "Indoor fan motor", "260.00"),
        ("AC-CAP-35", "启动电容", "Start capacitor", "45.00"),
        ("AC-RC-01", "遥控器", "Remote control", "60.00"),
        ("AC-R32-1KG", "R32冷媒", "Refrigerant R32 (1 kg)", "120.00"),
    ),
    "smart-lock": (
        ("SL-MB-01", "主板", "Main board", "220.00"),
        ("SL-FP-S2", "指纹模组", "Fingerprint sensor", "160.00"),
        ("SL-MOT-2", "锁体电机", "Lock motor", "140.00"),
        ("SL-BAT-5K", "锂电池", "Lithium battery pack", "98.00"),
        ("SL-HDL-X", "把手组件", "Handle assembly", "75.00"),
    ),
    "camera": (
        ("CAM-LENS-2K", "镜头模组", "Lens module", "85.00"),
        ("CAM-PSU-12", "电源适配器", "Power adapter 12 V", "35.00"),
        ("CAM-IR-B", "红外补光板", "IR board", "48.00"),
        ("CAM-WIFI-M", "无线模块", "Wi-Fi module", "66.00"),
    ),
    "robot-vacuum": (
        ("RV-BAT-52", "电池 5200mAh", "Battery 5200 mAh", "299.00"),
        ("RV-BR-M", "主刷", "Main brush", "59.00"),
        ("RV-WHL-R", "驱动轮模组", "Drive wheel module", "189.00"),
        ("RV-LDS-2", "激光雷达", "LiDAR sensor", "329.00"),
        ("RV-DOCK-F", "自集尘座风机", "Dock fan", "210.00"),
    ),
    "production-line": (
        ("PL-SRV-750", "伺服驱动器", "Servo drive 750 W", "3800.00"),
        ("PL-PLC-CPU", "PLC CPU模块", "PLC CPU module", "5200.00"),
        ("PL-BLT-2M", "传送带", "Conveyor belt 2 m", "1600.00"),
        ("PL-SNS-PE", "光电传感器", "Photoelectric sensor", "260.00"),
        ("PL-NZL-08", "吸嘴", "Pick-up nozzle", "180.00"),
    ),
}

# Fault descriptions per line: (Chinese, English).
FAULTS = {
    "air-conditioner": (
        ("空调不制冷，外机不转。", "The AC does not cool; the outdoor unit does not run."),
        ("开机后显示E1故障代码。", "Error code E1 shows after switching on."),
        ("室内机漏水，滴到地板上。", "The indoor unit leaks water onto the floor."),
        ("运行时噪音很大，有异响。", "Loud rattling noise while running."),
        ("遥控器失灵，面板无反应。", "The remote does not work and the panel does not respond."),
        ("制热效果差，出风不热。", "Poor heating; the air is not warm."),
    ),
    "smart-lock": (
        ("指纹识别经常失败。", "Fingerprint recognition often fails."),
        ("门锁电量正常但无法开锁。", "The battery is fine but the lock does not open."),
        ("人脸识别模块不工作。", "The face-recognition module does not work."),
        ("APP无法连接门锁，提示离线。", "The app cannot connect; the lock shows offline."),
        ("锁舌卡住，需要用力推门。", "The latch sticks; the door has to be pushed hard."),
    ),
    "camera": (
        ("摄像头频繁掉线。", "The camera keeps dropping off the network."),
        ("夜视画面全黑。", "The night-vision picture is completely black."),
        ("云台无法转动。", "The pan-tilt head does not move."),
        ("录像无法回放，提示存储卡错误。", "Recordings cannot be played back: memory card error."),
        ("画面模糊，对焦不准。", "The picture is blurry and out of focus."),
    ),
    "robot-vacuum": (
        ("机器人找不到充电座。", "The robot cannot find its dock."),
        ("主刷不转，提示错误5。", "The main brush does not turn: error 5."),
        ("电池续航明显变短。", "Battery life has become much shorter."),
        ("激光雷达报错，无法建图。", "LiDAR error; it cannot build a map."),
        ("自集尘座不吸尘。", "The self-empty dock does not suck up the dust."),
    ),
    "production-line": (
        ("生产线停机，伺服报警AL.16。", "The line stopped with servo alarm AL.16."),
        ("贴片精度下降，抛料率升高。", "Placement accuracy dropped; the reject rate rose."),
        ("传送带跑偏，产品卡料。", "The conveyor belt drifts and products jam."),
        ("PLC通讯中断，HMI显示离线。", "PLC communication lost; the HMI shows offline."),
        ("需要季度预防性维护。", "Quarterly preventive maintenance is due."),
    ),
}
GENERIC_REQUESTS = {
    "installation": ("新购产品需要上门安装调试。", "New product: please install and commission it."),
    "guidance": ("不会设置定时功能，请指导使用。", "Please explain how to set up the schedule function."),
    "software": ("提示有固件更新，升级失败。", "A firmware update is offered but fails to install."),
    "consultation": ("咨询保修期和延保服务。", "Question about the warranty period and extended warranty."),
    "return": ("收到的产品有外观破损，申请换货。", "The product arrived damaged; I want an exchange."),
    "maintenance": ("预约定期保养。", "Booking the periodic maintenance."),
    "follow_up": ("维修后回访。", "Follow-up visit after the repair."),
}

# Texts the staff write (in Chinese, as they work): repair reports (cause, process), notes on a
# cancellation or a reopening, the carriers they book.
REPORTS = (
    ("主控板电容鼓包。", "更换主控板并测试运行2小时。"),
    ("连接线松动。", "重新插接并固定线束，功能恢复。"),
    ("固件版本过旧导致兼容问题。", "升级固件至最新版本并恢复出厂设置。"),
    ("部件老化磨损。", "更换磨损部件，清洁保养。"),
    ("用户安装位置不当。", "重新安装并向用户讲解使用注意事项。"),
    ("传感器脏污。", "清洁传感器并校准。"),
)
CANCEL_NOTES = ("客户自行解决。", "客户不接受报价。", "重复提交的申请。", "客户联系不上。")
REOPEN_NOTES = ("故障复发。", "客户反馈问题未解决。")
CARRIERS = ("顺丰速运", "京东物流", "中通快递", "EMS")
# Texts the customers write, in their language: (Chinese, English).
REFUSALS = (
    ("故障仍然存在。", "The fault is still there."),
    ("工程师迟到两小时。", "The engineer came two hours late."),
    ("更换的配件与原配件颜色不一致。", "The replacement part does not match the colour."),
    ("维修后有新的划痕。", "There are new scratches after the repair."),
)
COMPLAINTS = (
    ("客服电话长时间无人接听。", "Nobody answered the hotline for a long time."),
    ("维修费用与报价不一致。", "The repair cost differs from the quote."),
    ("说明书上的安装步骤有误。", "The installation steps in the manual are wrong."),
    ("同一故障第三次维修。", "Third repair for the same fault."),
)
PREFERRED_TIMES = (
    ("", ""),
    ("", ""),
    ("工作日上午", "Weekday mornings"),
    ("工作日晚上", "Weekday evenings"),
    ("周末", "Weekends"),
    ("尽快", "As soon as possible"),
)
