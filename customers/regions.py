"""Customer regions: mainland China's provincial-level divisions, stored by their Chinese names
(``Customer.region``, as addresses are written) and shown in English by their usual names.

A region not in the list (one typed for an export market, say) is shown as stored."""

from core.i18n import pick

NAMES_EN = {
    "北京市": "Beijing",
    "天津市": "Tianjin",
    "上海市": "Shanghai",
    "重庆市": "Chongqing",
    "河北省": "Hebei",
    "山西省": "Shanxi",
    "辽宁省": "Liaoning",
    "吉林省": "Jilin",
    "黑龙江省": "Heilongjiang",
    "江苏省": "Jiangsu",
    "浙江省": "Zhejiang",
    "安徽省": "Anhui",
    "福建省": "Fujian",
    "江西省": "Jiangxi",
    "山东省": "Shandong",
    "河南省": "Henan",
    "湖北省": "Hubei",
    "湖南省": "Hunan",
    "广东省": "Guangdong",
    "海南省": "Hainan",
    "四川省": "Sichuan",
    "贵州省": "Guizhou",
    "云南省": "Yunnan",
    "陕西省": "Shaanxi",
    "甘肃省": "Gansu",
    "青海省": "Qinghai",
    "台湾省": "Taiwan",
    "内蒙古自治区": "Inner Mongolia",
    "广西壮族自治区": "Guangxi",
    "西藏自治区": "Tibet",
    "宁夏回族自治区": "Ningxia",
    "新疆维吾尔自治区": "Xinjiang",
    "香港特别行政区": "Hong Kong",
    "澳门特别行政区": "Macao",
}


def region_label(region: str, language: str | None = None) -> str:
    """The region in the active language (``language``: another one)."""
    return pick(region, NAMES_EN.get(region, ""), language)
