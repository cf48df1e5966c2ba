"""Codes for every closed set in the domain. Core returns these, never sentences."""

from enum import StrEnum


class UnitKind(StrEnum):
    CITY = "city"
    COUNTY = "county"  # the county and its centre (县/区 综治中心)
    TOWN = "town"  # 镇
    STREET = "street"  # 街道
    VILLAGE = "village"  # 村
    COMMUNITY = "community"  # 社区
    GRID = "grid"  # 网格
    DEPARTMENT = "department"  # county department (公安, 城管, 住建 …)


TERRITORIAL_KINDS = frozenset(
    {
        UnitKind.CITY,
        UnitKind.COUNTY,
        UnitKind.TOWN,
        UnitKind.STREET,
        UnitKind.VILLAGE,
        UnitKind.COMMUNITY,
        UnitKind.GRID,
    }
)


class GridKind(StrEnum):
    COMPREHENSIVE = "comprehensive"  # 综合网格
    SPECIAL = "special"  # 专属网格: a school, an enterprise


class Role(StrEnum):
    DUTY_OFFICER = "duty_officer"  # 值班员/受理员
    DISPATCHER = "dispatcher"  # 值班长
    HANDLER = "handler"  # 处置单位 staff
    SUPERVISOR = "supervisor"  # 核查督办
    LEADER = "leader"  # 指挥长
    TRAINER = "trainer"  # 培训员
    ADMIN = "admin"
    WALL = "wall"  # wall viewer


class Channel(StrEnum):
    HOTLINE = "hotline"  # 12345 calls taken by the centre
    CITY_PLATFORM = "city_platform"  # handed down from the city 12345 platform
    GRID_PATROL = "grid_patrol"  # 网格员巡查
    VIDEO_IOT = "video_iot"  # 雪亮工程, smoke, water level
    ONLINE = "online"  # web, WeChat mini-program
    LETTER_VISIT = "letter_visit"  # 信访
    PUBLIC_OPINION = "public_opinion"  # 舆情
    WALK_IN = "walk_in"
    DEPARTMENT = "department"  # transferred from a department
    POLICE_110 = "police_110"  # 非警务警情 transferred from 110


# Channels where a caller's number may legitimately be missing.
PHONE_OPTIONAL_CHANNELS = frozenset(
    {
        Channel.LETTER_VISIT,
        Channel.PUBLIC_OPINION,
        Channel.VIDEO_IOT,
        Channel.GRID_PATROL,
        Channel.WALK_IN,
        Channel.ONLINE,
        Channel.DEPARTMENT,
    }
)


class RequestType(StrEnum):
    CONSULTATION = "consultation"  # 咨询
    HELP = "help"  # 求助
    COMPLAINT = "complaint"  # 投诉
    REPORT = "report"  # 举报
    SUGGESTION = "suggestion"  # 建议
    PRAISE = "praise"  # 表扬


class Urgency(StrEnum):
    NORMAL = "normal"  # 一般
    URGENT = "urgent"  # 紧急
    CRITICAL = "critical"  # 特急


class OrderState(StrEnum):
    REGISTERED = "registered"  # 已受理·待派单
    DISPATCHED = "dispatched"  # 已派单·待签收
    IN_PROGRESS = "in_progress"  # 办理中
    PAUSED = "paused"  # 挂账·缓办
    PENDING_REVIEW = "pending_review"  # 待核查
    PENDING_VISIT = "pending_visit"  # 待回访
    CLOSED = "closed"  # 已结案
    MERGED = "merged"  # 已归并
    TRANSFERRED = "transferred"  # 已转出
    VOIDED = "voided"  # 作废


OPEN_STATES = frozenset(
    {
        OrderState.REGISTERED,
        OrderState.DISPATCHED,
        OrderState.IN_PROGRESS,
        OrderState.PAUSED,
        OrderState.PENDING_REVIEW,
        OrderState.PENDING_VISIT,
    }
)
FINAL_STATES = frozenset({OrderState.MERGED, OrderState.TRANSFERRED, OrderState.VOIDED})


class HopRole(StrEnum):
    LEAD = "lead"  # 主办
    ASSIST = "assist"  # 协办


class HopState(StrEnum):
    AWAITING = "awaiting"  # awaiting acceptance 待签收
    IN_PROGRESS = "in_progress"  # accepted, being handled 办理中
    DELEGATED = "delegated"  # passed down; a child hop holds the order 已下派
    ANSWERED = "answered"  # result or assisting answer sent up 已答复
    RETURNED = "returned"  # returned; awaiting the sender's decision 已退回
    RETURN_ACCEPTED = "return_accepted"  # sender accepted the return 退回已同意
    WITHDRAWN = "withdrawn"  # reassigned or recalled by the sender 已改派
    ESCALATED = "escalated"  # handed one tier up 已上报


LIVE_HOP_STATES = frozenset(
    {HopState.AWAITING, HopState.IN_PROGRESS, HopState.DELEGATED, HopState.RETURNED}
)


class LimitKind(StrEnum):
    HANDOUT = "handout"  # 制单+派单+接单: registration until the first acceptance
    RESOLVE = "resolve"  # until the result is submitted 办结
    ACCEPT = "accept"  # one hop: dispatch until acceptance 签收
    ASSIST = "assist"  # one assisting hop: dispatch until its answer 协办答复


class LimitStart(StrEnum):
    REGISTRATION = "registration"
    DISPATCH = "dispatch"
    ACCEPTANCE = "acceptance"


class VisitResult(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意 (一般)
    UNSATISFIED = "unsatisfied"  # 不满意
    UNREACHABLE = "unreachable"  # 未接通


class RiskGrade(StrEnum):
    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    GREEN = "green"


class MediationOutcome(StrEnum):
    AGREEMENT = "agreement"  # 调解协议
    JUDICIAL_CONFIRMATION = "judicial_confirmation"  # 司法确认
    LITIGATION = "litigation"  # 转诉讼
    FAILED = "failed"  # 调解不成


class SupervisionLevel(StrEnum):
    YELLOW = "yellow"  # 黄牌督办
    RED = "red"  # 红牌督办


class AttachmentKind(StrEnum):
    PHOTO_BEFORE = "photo_before"
    PHOTO_AFTER = "photo_after"
    DOCUMENT = "document"


class CallerSource(StrEnum):
    PRIMARY = "primary"
    ADDED = "added"  # a further caller on the same matter
    MERGED = "merged"  # came with a merged duplicate
