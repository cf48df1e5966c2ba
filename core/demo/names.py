"""Plausible Chinese names for places, people and organisations. Deterministic per rng."""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华"
    "建国志红玉梅海波宁斌浩宇欣怡晨辉鹏飞婷雪琳"
)
PLACE_A = "东西南北清黄青白金石马龙凤柳杨桃杏梨松柏槐桑莲荷官高古新安平和兴丰永福寿仁义礼双三五七"
PLACE_B = "河桥湖港湾塘集店庄营圩坝岗岭山冈沟洼滩墩集口场铺埠浦渡林园泉"
ROADS = (
    "人民路",
    "建设路",
    "解放路",
    "淮河路",
    "中山路",
    "文化路",
    "健康路",
    "新华路",
    "幸福路",
    "和平路",
    "东风路",
    "学府路",
    "迎宾大道",
    "滨河路",
    "工业大道",
    "金山路",
    "永安路",
    "府前街",
    "长江路",
    "泰山路",
)
SCHOOLS = ("中心小学", "实验小学", "初级中学", "中心幼儿园", "高级中学", "职业技术学校")
COMPANIES = (
    "化工有限公司",
    "纺织有限公司",
    "食品有限公司",
    "机械制造有限公司",
    "物流园",
    "建材有限公司",
    "电子科技有限公司",
    "农产品批发市场",
)


class Namer:
    """Hands out names that are unique within their kind."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._used: set[str] = set()

    def _unique(self, make: str) -> str:
        for _ in range(200):
            name = self._draw(make)
            if name not in self._used:
                self._used.add(name)
                return name
        raise RuntimeError(f"ran out of {make} names")

    def _draw(self, make: str) -> str:
        r = self.rng
        if make == "place":
            return r.choice(PLACE_A) + r.choice(PLACE_B)
        if make == "place3":
            return r.choice(PLACE_A) + r.choice(PLACE_A) + r.choice(PLACE_B)
        raise ValueError(make)

    def town(self) -> str:
        return self._unique("place") + "镇"

    def village(self) -> str:
        return self._unique("place") + "村"

    def community(self) -> str:
        return self._unique("place3")[:2] + "社区"

    def person(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def school(self, place: str) -> str:
        return place.rstrip("镇村社区街道") + self.rng.choice(SCHOOLS)

    def company(self) -> str:
        return self._unique("place")[:2] + self.rng.choice(COMPANIES)
