"""The ten communities of DOMAIN.md as static reference data.

Figures the source reports are typed here verbatim; every figure we had to choose is
listed in the community's `estimated` tuple so the cockpit can flag it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DISTRICT_CODE = "330109"  # 萧山区

# (street_code, street_name, kind)
STREETS = [
    ("330109001", "城厢街道", "街道"),
    ("330109002", "北干街道", "街道"),
    ("330109003", "蜀山街道", "街道"),
    ("330109004", "新塘街道", "街道"),
    ("330109006", "闻堰街道", "街道"),
    ("330109008", "宁围街道", "街道"),
    ("330109009", "新街街道", "街道"),
    ("330109010", "盈丰街道", "街道"),
    ("330109104", "瓜沥镇", "镇"),
    ("330109112", "所前镇", "镇"),
]


@dataclass(frozen=True)
class Facility:
    name: str
    kind: str  # facility_type of dim_facility
    capacity: int  # units per day (meals, beds, places)
    utilisation: float  # share of capacity used on a typical open day
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Community:
    code: str
    name: str
    households: int
    residents: int
    over_60: int
    under_14: int
    area_ha: float
    lat: float
    lon: float
    estimated: tuple[str, ...]
    micro_grids: tuple[int, ...]  # micro-grids per grid; 0s mean grids only
    incidents_per_1000: int  # reports per 1,000 residents per year
    category_bias: dict  # category_code -> weight multiplier
    age_tilt: float  # >1 older than average, <1 younger
    points_busy: bool  # has a points system in the source
    facilities: tuple[Facility, ...]
    counterparties: tuple[str, ...]
    profile: dict
    micro_label: str = "楼栋长"

    @property
    def street_code(self) -> str:
        return self.code[:9]


COMMUNITIES = [
    Community(
        code="330109104001",
        name="东灵社区",
        households=3874,
        residents=8120,
        over_60=1949,
        under_14=893,
        area_ha=42.0,
        lat=30.19,
        lon=120.45,
        estimated=("residents", "residents_60_plus", "residents_under_14", "area_ha"),
        micro_grids=(0, 0, 0),
        incidents_per_1000=450,
        category_bias={"aging_pipes": 4.0, "flying_wire": 2.2, "illegal_parking": 1.8},
        age_tilt=1.4,
        points_busy=False,
        facilities=(
            Facility("东灵居家养老服务照料中心", "eldercare", 40, 0.75),
            Facility("东灵文化家园", "activity", 80, 0.45),
        ),
        counterparties=("养老服务", "联盟商户·便民超市"),
        profile={
            "features": [
                "全区最大老旧小区改造 250,000㎡",
                "3个网格微信群",
                "两委+网格员+楼栋长+志愿者联合巡查",
            ],
            "compounds": [],
            "platforms": ["网格微信群"],
            "founded": 2003,
            "problems": ["管道老化", "飞线充电", "违规停车"],
        },
    ),
    Community(
        code="330109001012",
        name="湘湖社区",
        households=2495,
        residents=7248,
        over_60=1356,
        under_14=836,
        area_ha=25.3,
        lat=30.16,
        lon=120.24,
        estimated=(),
        micro_grids=(9, 8, 8, 8, 8),
        incidents_per_1000=360,
        category_bias={"elderly_care": 4.0, "repair": 1.3},
        age_tilt=1.6,
        points_busy=False,
        facilities=(
            Facility("湘湖邻里食堂", "canteen", 80, 0.85, {"features": ["志愿者送餐"]}),
            Facility("萧乐福养老中心", "eldercare", 60, 0.7, {"area_m2": 1640}),
            Facility("湘湖0-3托育中心", "childcare", 40, 0.9, {"beds": 40}),
            Facility("湘湖儿童农场", "activity", 60, 0.3),
        ),
        counterparties=("邻里食堂", "养老服务", "托育服务"),
        profile={
            "features": [
                "邻里食堂",
                "志愿者送餐",
                "萧乐福养老中心 1,640㎡",
                "0-3托育中心",
                "儿童农场",
                "83幢安置房 214个单元",
                "加装电梯 214台规划 61台在建",
                "一老一小约30%",
            ],
            "compounds": ["湘湖安置小区"],
            "platforms": ["红领通"],
            "founded": None,
        },
    ),
    Community(
        code="330109004003",
        name="罗婆路社区",
        households=4185,
        residents=8897,
        over_60=1424,
        under_14=1512,
        area_ha=48.0,
        lat=30.19,
        lon=120.30,
        estimated=("residents_60_plus", "residents_under_14", "area_ha"),
        micro_grids=(8, 8, 8, 8, 8, 8, 7),
        incidents_per_1000=360,
        category_bias={"elderly_care": 1.6, "stairwell_clutter": 1.3},
        age_tilt=1.1,
        points_busy=True,
        facilities=(Facility("罗婆路邻里空间", "activity", 100, 0.55, {"area_m2": 1070}),),
        counterparties=(
            "邻里空间",
            "托育服务",
            "养老服务",
            "联盟商户·社区理发店",
            "联盟商户·便民超市",
            "联盟商户·洗衣店",
        ),
        profile={
            "features": [
                "积分体系",
                "线上互助平台",
                "邻里空间 1,070㎡",
                "党员323名",
                "社会组织20个",
                "一老一小+新居民超50%",
            ],
            "compounds": ["右岸澜庭", "四季华庭", "晨悦湾"],
            "platforms": ["红领通", "线上互助平台"],
            "founded": None,
        },
    ),
    Community(
        code="330109010002",
        name="盈二社区",
        households=3645,
        residents=9842,
        over_60=886,
        under_14=1870,
        area_ha=55.0,
        lat=30.23,
        lon=120.25,
        estimated=("households", "residents_60_plus", "residents_under_14", "area_ha"),
        micro_grids=(6, 6, 6, 6, 5),
        incidents_per_1000=280,
        category_bias={"elderly_care": 0.4, "illegal_parking": 1.3},
        age_tilt=0.7,
        points_busy=True,
        facilities=(
            Facility("盈二智慧食堂", "canteen", 120, 0.7, {"features": ["60岁以上刷脸就餐"]}),
            Facility("盈二居家养老中心", "eldercare", 60, 0.6),
            Facility("盈二健康驿站", "health", 60, 0.4),
            Facility("盈二托育中心", "childcare", 60, 0.85, {"beds": 60}),
            Facility("盈二青少年宫", "youth", 100, 0.45),
        ),
        counterparties=("共富银行", "智慧食堂", "托育服务", "养老服务", "联盟商户·便民超市"),
        profile={
            "features": [
                "共富银行",
                "共富积分",
                "智慧食堂(60+刷脸)",
                "综合智慧指挥中心",
                "青少年宫",
                "宴会厅",
                "投资8,000万元",
            ],
            "compounds": [],
            "platforms": ["盈丰里", "红领通"],
            "founded": None,
        },
    ),
    Community(
        code="330109002005",
        name="塘湾社区",
        households=3500,
        residents=8500,
        over_60=1700,
        under_14=1105,
        area_ha=40.0,
        lat=30.19,
        lon=120.28,
        estimated=("residents_60_plus", "residents_under_14", "area_ha"),
        micro_grids=(7, 7, 7, 7, 7, 7),
        incidents_per_1000=380,
        category_bias={"stairwell_clutter": 1.5},
        age_tilt=1.2,
        points_busy=False,
        facilities=(
            Facility(
                "塘湾党群服务综合体", "activity", 120, 0.45, {"area_m2": 12000, "functions": 12}
            ),
        ),
        counterparties=("党群服务综合体", "联盟商户·便民超市"),
        profile={
            "features": [
                "数字驾驶舱",
                "360民情圆桌汇",
                "党群服务综合体 12,000㎡",
                "社区-网格-楼道三级架构",
                "社团11个 年活动85场",
                "集体收入2,500万元/年",
            ],
            "compounds": ["塘湾名苑", "白马御府", "国宸滨府"],
            "platforms": ["数字驾驶舱", "红领通"],
            "founded": None,
            "households_note": "约3,500户（安置2,727户）",
        },
        micro_label="楼道长",
    ),
    Community(
        code="330109009006",
        name="新宜社区",
        households=6160,
        residents=16950,
        over_60=2034,
        under_14=2712,
        area_ha=60.0,
        lat=30.17,
        lon=120.33,
        estimated=("households", "residents_60_plus", "residents_under_14", "area_ha"),
        micro_grids=(8, 8, 7, 7, 7, 7),
        incidents_per_1000=300,
        category_bias={},
        age_tilt=0.9,
        points_busy=True,
        facilities=(
            Facility("新宜蒙特梭利托育", "childcare", 100, 0.92, {"beds": 100, "beds_before": 45}),
            Facility("新宜老年活动室", "eldercare", 80, 0.4, {"area_m2": [400, 300]}),
            Facility("新宜婴幼儿驿站", "childcare", 30, 0.55, {"area_m2": 300}),
        ),
        counterparties=(
            "养老服务",
            "托育服务",
            "联盟商户·商场餐饮",
            "联盟商户·裁缝铺",
            "联盟商户·便民超市",
        ),
        profile={
            "features": [
                "文明积分",
                "商户服务联盟",
                "29省居民 10个少数民族",
                "蒙特梭利托育 45→100床",
                "老年活动室 400㎡+300㎡",
                "婴幼儿驿站 300㎡",
            ],
            "compounds": ["郡望府", "钱塘东南家园"],
            "platforms": ["红领通"],
            "founded": None,
        },
    ),
    Community(
        code="330109008011",
        name="市北社区",
        households=5380,
        residents=14600,
        over_60=1022,
        under_14=2190,
        area_ha=62.0,
        lat=30.22,
        lon=120.29,
        estimated=("households", "residents", "residents_60_plus", "residents_under_14", "area_ha"),
        micro_grids=(7, 7, 6, 6, 6, 6),
        incidents_per_1000=300,
        category_bias={"elderly_care": 0.4, "illegal_parking": 1.4},
        age_tilt=0.6,
        points_busy=False,
        facilities=(
            Facility("喜柿服务综合体", "other", 100, 0.4),
            Facility("喜柿服务驿站", "other", 60, 0.55),
            Facility(
                "喜柿便民小盒(6个)",
                "other",
                60,
                0.6,
                {"features": ["裁缝", "维修", "理发"], "boxes": 6},
            ),
            Facility("市北共享书房", "library", 50, 0.6),
        ),
        counterparties=("喜柿服务驿站", "联盟商户·理发小盒"),
        profile={
            "features": [
                "喜柿15分钟生活圈",
                "1个综合体+1个驿站+6个小盒",
                "4.4km绿道",
                "1心2廊4口袋公园",
                "年轻人多 新居民多",
            ],
            "compounds": ["市北一苑", "市北二苑", "市北三苑", "市北四苑"],
            "platforms": ["红领通"],
            "founded": None,
        },
    ),
    Community(
        code="330109112002",
        name="南城社区",
        households=1761,
        residents=3860,
        over_60=1004,
        under_14=386,
        area_ha=108.0,
        lat=30.08,
        lon=120.29,
        estimated=("residents", "residents_60_plus", "residents_under_14"),
        micro_grids=(4, 4, 3, 3, 3),
        incidents_per_1000=0,  # driven by its published results
        category_bias={"hazard": 1.5},
        age_tilt=1.5,
        points_busy=False,
        facilities=(
            Facility("阳光南城服务站", "other", 60, 0.5, {"features": ["上门服务36场"]}),
            Facility("南城老年活动中心", "eldercare", 50, 0.6),
        ),
        counterparties=("阳光南城服务站", "养老服务"),
        profile={
            "features": [
                "阳光南城微治理平台",
                "1,412名居民联系人",
                "48个标签",
                "210,124条推送",
                "1,248件诉求办结 平均<24小时",
                "志愿者巡查隐患170处",
                "103名居民骨干",
            ],
            "compounds": ["南城一区", "南城二区", "南城三区", "南城四区", "南城五区"],
            "platforms": ["阳光南城"],
            "founded": None,
        },
    ),
    Community(
        code="330109003007",
        name="湖山社区",
        households=2365,
        residents=6858,
        over_60=754,
        under_14=960,
        area_ha=21.56,
        lat=30.13,
        lon=120.25,
        estimated=("residents_60_plus", "residents_under_14"),
        micro_grids=(7, 7, 6),
        incidents_per_1000=420,
        category_bias={"illegal_parking": 2.2, "flying_wire": 2.0},
        age_tilt=0.9,
        points_busy=False,
        facilities=(
            Facility("湖山新市民之家", "activity", 80, 0.5),
            Facility("湖山健身房", "gym", 50, 0.7),
        ),
        counterparties=("新市民之家", "联盟商户·底商餐饮"),
        profile={
            "features": ["新居民占54%", "底商12,000㎡", "33个服务场景", "社团10个"],
            "compounds": ["湖山安置一区", "湖山安置二区", "湖山商品房一区", "湖山商品房二区"],
            "platforms": ["红领通", "钉管家", "蜀山卫"],
            "founded": None,
        },
    ),
    Community(
        code="330109006004",
        name="江澜社区",
        households=3400,
        residents=8050,
        over_60=1369,
        under_14=1127,
        area_ha=130.0,
        lat=30.12,
        lon=120.19,
        estimated=("residents_60_plus", "residents_under_14"),
        micro_grids=(10, 10, 9, 9),
        incidents_per_1000=320,
        category_bias={"elderly_care": 1.5},
        age_tilt=1.1,
        points_busy=False,
        facilities=(
            Facility(
                "江澜颐养中心", "eldercare", 50, 0.8, {"features": ["日间照料", "康复理疗", "助浴"]}
            ),
            Facility("堰邻中心·婴幼儿驿站", "childcare", 30, 0.7),
            Facility("堰邻中心·亲子阅读室", "library", 60, 0.4),
        ),
        counterparties=("养老服务", "托育服务"),
        profile={
            "features": ["38个微网格", "颐养中心", "堰邻中心", "5/10/15分钟服务圈"],
            "compounds": ["三江名苑", "湘湖壹号", "观湖里"],
            "platforms": ["红领通"],
            "founded": None,
        },
    ),
]

# The categories of migration 001; load_demo reads the live table instead.
DEFAULT_CATEGORIES = [
    # (category_code, sla_hours, is_safety_hazard)
    ("hazard", 24, True),
    ("repair", 72, False),
    ("elderly_care", 24, False),
    ("flying_wire", 24, True),
    ("illegal_parking", 12, False),
    ("aging_pipes", 120, False),
    ("stairwell_clutter", 48, False),
    ("other", 72, False),
]

# Baseline mix of incident categories before each community's bias.
CATEGORY_WEIGHTS = {
    "hazard": 8,
    "repair": 25,
    "elderly_care": 6,
    "flying_wire": 8,
    "illegal_parking": 16,
    "aging_pipes": 5,
    "stairwell_clutter": 15,
    "other": 14,
}

# Generic, personal-data-free descriptions ("{b}" is a building number).
DESCRIPTIONS = {
    "hazard": ["{b}号楼消防通道堵塞", "{b}号楼灭火器过期", "{b}号楼外墙瓷砖松动", "小区内井盖破损"],
    "repair": ["{b}号楼楼道灯不亮", "{b}号楼单元门禁损坏", "小区路灯故障", "{b}号楼电梯异响"],
    "elderly_care": ["独居老人就医接送需求", "老人助餐送餐需求", "高龄老人上门探访需求"],
    "flying_wire": ["{b}号楼电动车飞线充电", "楼道内电动车充电", "{b}号楼窗口拉线充电"],
    "illegal_parking": ["{b}号楼前车辆违停", "消防通道车辆占用", "非机动车乱停放"],
    "aging_pipes": ["{b}号楼水管渗漏", "{b}号楼雨污管道堵塞", "{b}号楼燃气管道老化"],
    "stairwell_clutter": ["{b}号楼楼道杂物堆积", "{b}号楼楼道堆放纸箱", "地下室杂物堆积"],
    "other": ["绿化带需修剪", "{b}号楼噪音扰民", "垃圾清运不及时", "宠物粪便未清理"],
}
