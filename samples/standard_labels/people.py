"""Recipients, addresses across provinces, the shop that ships, and how phones are masked."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Region:
    province: str  # as the Taobao export writes it ("上海" for the municipalities)
    city: str
    district: str
    postcode: str
    area_code: str  # telephone area code; SF and the 三段码 routing use it
    zone: str  # 华东 / 华南 ... for the 大头笔 line
    hub: str  # the carrier's sorting centre (集包地)


REGIONS: tuple[Region, ...] = tuple(
    Region(*row)
    for row in (
        ("山东省", "青岛市", "崂山区", "266061", "532", "华东", "青岛转运中心"),
        ("山东省", "济南市", "历下区", "250014", "531", "华东", "济南转运中心"),
        ("浙江省", "杭州市", "西湖区", "310012", "571", "华东", "杭州转运中心"),
        ("浙江省", "宁波市", "鄞州区", "315100", "574", "华东", "宁波中转部"),
        ("江苏省", "南京市", "鼓楼区", "210008", "025", "华东", "南京转运中心"),
        ("江苏省", "苏州市", "工业园区", "215021", "512", "华东", "苏州转运中心"),
        ("上海", "上海市", "浦东新区", "200120", "021", "华东", "上海浦东转运中心"),
        ("上海", "上海市", "闵行区", "201100", "021", "华东", "上海青浦集散"),
        ("安徽省", "合肥市", "蜀山区", "230031", "551", "华东", "合肥转运中心"),
        ("福建省", "厦门市", "思明区", "361001", "592", "华东", "厦门转运中心"),
        ("江西省", "南昌市", "红谷滩区", "330038", "791", "华东", "南昌转运中心"),
        ("广东省", "深圳市", "南山区", "518052", "755", "华南", "深圳转运中心"),
        ("广东省", "广州市", "天河区", "510630", "020", "华南", "广州白云集散"),
        ("广东省", "东莞市", "南城街道", "523073", "769", "华南", "东莞转运中心"),
        ("广西壮族自治区", "南宁市", "青秀区", "530022", "771", "华南", "南宁转运中心"),
        ("海南省", "海口市", "美兰区", "570203", "898", "华南", "海口转运中心"),
        ("北京", "北京市", "朝阳区", "100020", "010", "华北", "北京顺义集散"),
        ("北京", "北京市", "海淀区", "100080", "010", "华北", "北京转运中心"),
        ("天津", "天津市", "南开区", "300071", "022", "华北", "天津转运中心"),
        ("河北省", "石家庄市", "长安区", "050011", "311", "华北", "石家庄转运中心"),
        ("山西省", "太原市", "小店区", "030006", "351", "华北", "太原转运中心"),
        ("内蒙古自治区", "呼和浩特市", "赛罕区", "010020", "471", "华北", "呼和浩特中转部"),
        ("湖北省", "武汉市", "洪山区", "430074", "027", "华中", "武汉转运中心"),
        ("湖南省", "长沙市", "岳麓区", "410006", "731", "华中", "长沙转运中心"),
        ("河南省", "郑州市", "金水区", "450003", "371", "华中", "郑州转运中心"),
        ("四川省", "成都市", "武侯区", "610041", "028", "西南", "成都转运中心"),
        ("重庆", "重庆市", "渝北区", "401120", "023", "西南", "重庆转运中心"),
        ("云南省", "昆明市", "五华区", "650032", "871", "西南", "昆明转运中心"),
        ("贵州省", "贵阳市", "观山湖区", "550081", "851", "西南", "贵阳转运中心"),
        ("西藏自治区", "拉萨市", "城关区", "850000", "891", "西南", "拉萨中转部"),
        ("陕西省", "西安市", "雁塔区", "710061", "029", "西北", "西安转运中心"),
        ("甘肃省", "兰州市", "城关区", "730030", "931", "西北", "兰州转运中心"),
        ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "830002", "991", "西北", "乌鲁木齐转运中心"),
        ("宁夏回族自治区", "银川市", "兴庆区", "750001", "951", "西北", "银川中转部"),
        ("青海省", "西宁市", "城中区", "810000", "971", "西北", "西宁中转部"),
        ("辽宁省", "沈阳市", "和平区", "110001", "024", "东北", "沈阳转运中心"),
        ("吉林省", "长春市", "朝阳区", "130012", "431", "东北", "长春转运中心"),
        ("黑龙江省", "哈尔滨市", "南岗区", "150001", "451", "东北", "哈尔滨转运中心"),
    )
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "慕容", "端木")
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建国文辉力斌宇浩凯健俊帆帅旭宁龙林欢阳佳"
    "思雨欣怡梓涵子轩浩然一诺雅琪宏志晨曦海波春梅晓东丹丹嘉怡俊杰紫萱博文天佑若曦明哲雪梅"
)
RARE_GIVEN = "喆堃淼犇昇祎珺琰昱瑄玥燚垚翀彧婧晞暐炜珏鑫曌翾龑赟骉焱弢"
TITLES = ("先生", "女士")

STREETS = (
    "学院路",
    "中山路",
    "人民路",
    "解放大道",
    "建设街",
    "长江路",
    "文化路",
    "科技园南路",
    "滨江大道",
    "朝阳北路",
    "金沙江路",
    "黄河东路",
    "东风路",
    "南京西路",
    "香港中路",
    "深南大道",
    "天府大道",
    "五一大道",
    "北京路",
    "和平街",
    "湖滨南路",
    "新华街",
    "光明路",
    "育才路",
    "振兴街",
    "幸福大街",
    "青年路",
    "迎宾大道",
    "工农路",
    "健康路",
)
COMMUNITIES = (
    "金地华府",
    "万科城",
    "碧桂园",
    "绿城桂花园",
    "保利香槟国际",
    "华润橡树湾",
    "阳光花园",
    "幸福里小区",
    "锦绣江南",
    "龙湖春江郦城",
    "世纪花园",
    "翡翠城",
    "融创玖樾府",
    "中海国际社区",
    "恒大名都",
    "东方明珠苑",
    "书香门第",
    "金色家园",
)
BUILDINGS = ("大厦", "国际中心", "科技园", "广场", "写字楼")
VILLAGES = ("东沟村", "李家庄", "王庄村", "新屯村", "石桥村", "河西村")


@dataclass(frozen=True)
class Person:
    name: str
    mobile: str  # 11 digits
    region: Region
    detail: str  # street address after the district

    @property
    def tail(self) -> str:
        return self.mobile[-4:]

    def export_address(self) -> str:
        """收货地址 as the Taobao export writes it: 省 市 区 详细地址(邮编)."""
        r = self.region
        return f"{r.province} {r.city} {r.district} {self.detail}({r.postcode})"

    def label_address(self, with_province: bool = True) -> str:
        r = self.region
        head = f"{r.province}{r.city}" if r.province != r.city[:2] else r.city
        return f"{head if with_province else r.city}{r.district} {self.detail}"


def mask_phone(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}"


def new_mobile(rng: random.Random) -> str:
    head = rng.choice(("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152"))
    head = rng.choice(
        (
            head,
            rng.choice(("155", "156", "157", "158", "159", "166", "173", "177", "180", "181")),
            rng.choice(("182", "183", "185", "186", "187", "188", "189", "191", "198", "199")),
        )
    )
    return head + "".join(rng.choice("0123456789") for _ in range(8))


def new_name(rng: random.Random) -> str:
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.03 else rng.choice(SURNAMES)
    if rng.random() < 0.06:
        return surname + rng.choice(TITLES)
    pool = GIVEN + RARE_GIVEN if rng.random() < 0.2 else GIVEN
    given = rng.choice(pool) + (rng.choice(GIVEN + RARE_GIVEN) if rng.random() < 0.62 else "")
    if rng.random() < 0.12 and len(given) == 2:
        given = given[0] * 2  # 叠字名 like 丹丹
    return surname + given


def new_detail(rng: random.Random) -> str:
    """The street part: 路/街 + 号 + 小区 + 栋/幢/号楼 + 单元 + 室, or an office, or a village."""
    street = f"{rng.choice(STREETS)}{rng.randint(1, 999)}号"
    roll = rng.random()
    if roll < 0.62:
        unit = f"{rng.randint(1, 4)}单元" if rng.random() < 0.6 else ""
        bld = rng.choice(("栋", "幢", "号楼"))
        return f"{street}{rng.choice(COMMUNITIES)}{rng.randint(1, 32)}{bld}{unit}{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
    if roll < 0.85:
        tower = rng.choice("ABCD")
        return f"{street}{rng.choice(STREETS)[:2]}{rng.choice(BUILDINGS)}{tower}座{rng.randint(2, 38)}{rng.randint(1, 20):02d}"
    town = rng.choice(("城关镇", "新华镇", "高新街道", "龙泉镇", "柳林镇"))
    return f"{town}{rng.choice(VILLAGES)}{rng.randint(1, 12)}组{rng.randint(1, 99)}号"


def new_person(rng: random.Random, used_names: set[str], region: Region | None = None) -> Person:
    """A buyer whose name is not yet used anywhere in the set."""
    for _ in range(200):
        name = new_name(rng)
        if name not in used_names and name.encode("gbk"):
            used_names.add(name)
            return Person(name, new_mobile(rng), region or rng.choice(REGIONS), new_detail(rng))
    raise RuntimeError("ran out of names")


def namesake(rng: random.Random, person: Person) -> Person:
    """Same name, another city, another phone and street."""
    others = [r for r in REGIONS if r.city != person.region.city]
    return Person(person.name, new_mobile(rng), rng.choice(others), new_detail(rng))


def housemate(rng: random.Random, person: Person, used_names: set[str]) -> Person:
    """Another buyer at the same address."""
    other = new_person(rng, used_names, person.region)
    return replace(other, detail=person.detail)


@dataclass(frozen=True)
class Shop:
    name: str  # 店铺名称
    sender: str  # the person or desk printed as 寄件人
    phone: str  # mobile or a landline like 0579-8556xxxx
    region: Region
    detail: str

    def address(self) -> str:
        r = self.region
        return f"{r.province}{r.city}{r.district}{self.detail}"


SHOP_REGIONS = (
    Region("浙江省", "金华市", "义乌市", "322000", "579", "华东", "义乌转运中心"),
    Region("广东省", "广州市", "白云区", "510440", "020", "华南", "广州白云集散"),
    Region("福建省", "泉州市", "晋江市", "362200", "595", "华东", "泉州转运中心"),
)
SHOP_TOWNS = {"义乌市": ("稠城街道", "北苑街道"), "白云区": ("石井街道", "太和镇"), "晋江市": ("陈埭镇", "池店镇")}
SHOP_NAMES = ("山海杂货铺", "小鹿家居旗舰店", "青柠生活馆", "木子数码专营店", "晴天童装小铺", "半夏茶舍")


def new_shop(rng: random.Random) -> Shop:
    region = rng.choice(SHOP_REGIONS)
    phone = (
        f"0{region.area_code.lstrip('0')}-{rng.randint(8000, 8999)}{rng.randint(0, 9999):04d}"
        if rng.random() < 0.5
        else new_mobile(rng)
    )
    sender = rng.choice((rng.choice(SURNAMES) + rng.choice(("先生", "女士", "小姐")), "仓库发货部", "售后部"))
    detail = (
        f"{rng.choice(SHOP_TOWNS[region.district])}{rng.choice(STREETS)}{rng.randint(8, 388)}号{rng.randint(1, 6)}号仓"
    )
    return Shop(rng.choice(SHOP_NAMES), sender, phone, region, detail)
