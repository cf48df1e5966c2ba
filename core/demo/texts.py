"""Descriptions for demo orders, by the category's level-1 group."""

from __future__ import annotations

import random

from core.taxonomy import Category

TEMPLATES: dict[str, tuple[str, ...]] = {
    "01": (
        "反映{addr}附近{name}方面的问题，希望有关部门予以关注。",
        "咨询{name}的办理流程和所需材料。",
    ),
    "02": ("{addr}附近诊所{name}问题，群众意见较大。", "咨询{name}相关政策。"),
    "03": (
        "{addr}{name}问题：路灯不亮、路面破损，夜间出行不便，请尽快处理。",
        "{addr}有人{name}，影响周边居民生活，要求查处。",
        "{addr}小区{name}问题长期未解决。",
    ),
    "04": (
        "{addr}附近{name}：河道有异味、垃圾堆积，请环保部门处理。",
        "反映{addr}周边{name}问题。",
    ),
    "05": ("{addr}路段{name}问题，车辆通行困难。", "反映{name}：公交班次少、等车时间长。"),
    "06": ("{addr}{name}问题，村民要求解决。", "咨询{name}补贴发放情况。"),
    "07": ("{addr}存在{name}隐患，请尽快排查。", "{addr}附近夜间有人聚集，{name}令人担忧。"),
    "08": ("反映{addr}某企业{name}问题，涉及多名工人。", "咨询{name}相关政策。"),
    "09": (
        "{addr}{name}：邻里之间因宅基地、噪音等问题发生矛盾，请求调解。",
        "咨询{name}申请条件。",
    ),
    "10": ("在{addr}附近商店购物遇到{name}问题，要求处理。", "举报{addr}某商户{name}。"),
    "11": ("咨询{name}相关政策。", "反映{name}问题。"),
    "12": ("咨询{name}相关事项。", "反映{name}问题，希望得到法律帮助。"),
    "13": ("反映某单位{name}问题，办事效率低。",),
    "99": ("反映{name}相关问题。",),
}


BY_REQUEST_TYPE: dict[str, tuple[str, ...]] = {
    "consultation": (
        "咨询{name}的相关政策和办理流程。",
        "咨询{name}需要准备哪些材料、到哪里办理。",
    ),
    "suggestion": ("建议有关部门加强{addr}附近{name}方面的管理。", "对{name}工作提出改进建议。"),
    "praise": (
        "感谢有关部门及时解决{addr}{name}问题，特此表扬。",
        "表扬工作人员在{name}方面热情周到。",
    ),
}


def describe(rng: random.Random, cat: Category, address: str, request_type: str) -> str:
    family = BY_REQUEST_TYPE.get(request_type) or TEMPLATES.get(cat.code[:2], TEMPLATES["99"])
    return rng.choice(family).format(addr=address, name=cat.name)
