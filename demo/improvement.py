"""The improvement loop in the demo, written through ``improvement.services`` with ``now=``:
corrective actions of every kind on the demo's complaints (quality feedback to production at
each stage, a training need with an ad-hoc appraisal, a manual fix, a free action), promises
to customers awaiting approval at both levels, approved and told, refused, improvement
actions in every PDCA column (one at check with its effect measured, one closed) and the
voice-of-the-customer themes of the last three months (docs/demo.md)."""

import datetime as dt

from complaints.models import Complaint
from improvement import services, voc

DAY = dt.timedelta(days=1)


def _complaints(n: int) -> list[Complaint]:
    """The oldest classified complaints first (their history leaves room before ``now``), then any."""
    rows = list(Complaint.objects.exclude(category="").select_related("order").order_by("id")[:n])
    if len(rows) < n:
        rows += list(Complaint.objects.filter(category="").select_related("order").order_by("id")[: n - len(rows)])
    return rows


def improvement_showcase(*, users: dict, now: dt.datetime) -> int:
    """Write the improvement showcase; returns how many rows it opened (0 without complaints)."""
    handler, quality = users["complaints"], users["quality"]
    supervisor, manager = users["supervisor"], users["manager"]
    complaints = _complaints(8)
    if len(complaints) < 4:
        return 0
    rows = 0
    today = (now + 0 * DAY).date()

    def when(c: Complaint, days: float) -> dt.datetime:
        """``days`` after the complaint came in, never after the load's now."""
        return min(c.created_at + dt.timedelta(days=days), now - dt.timedelta(minutes=5))

    def corrective(c, days, **kw):
        return services.corrective_action_create(
            actor=handler, complaint_id=c.pk, owner_id=quality.pk, now=when(c, days), **kw
        )

    def move(row, steps, c, days):
        for i, (action, note) in enumerate(steps):
            services.corrective_action_transition(
                actor=quality, action_id=row.pk, action=action, note=note, now=when(c, days + 0.2 * (i + 1))
            )

    c0, c1, c2, c3 = complaints[:4]
    # quality feedback to production, model and batch from the complaint's unit when it has one
    for i, (c, steps) in enumerate(
        [
            (c0, []),
            (c1, [("start", "")]),
            (c2, [("start", ""), ("complete", "生产线已更换密封圈供应商。"), ("verify", "")]),
        ]
    ):
        has_model = c.order is not None and (c.order.unit_id or c.order.product_model_id)
        extra = {} if has_model else {"kind": "free"}
        row = corrective(
            c,
            0.5,
            title=("密封圈老化导致漏水", "控制板批次性故障", "外壳开裂")[i],
            due_date=today + dt.timedelta(days=(-3, 10, 20)[i]),
            notes="反馈生产部门分析原因并跟踪整改。",
            **({"kind": "quality_feedback"} | extra),
        )
        move(row, steps, c, 0.5)
        rows += 1
    # service: training for the staff involved, a major complaint with an ad-hoc appraisal
    staff = [users["engineer"].pk, users["agent"].pk]
    corrective(
        c3, 1, kind="training", title="服务礼仪与准时上门培训", due_date=today + 14 * DAY, staff_ids=staff, major=True
    )
    corrective(
        c0,
        1,
        kind="doc_fix",
        title="更正说明书安装步骤",
        due_date=today + 7 * DAY,
        document="manual",
        section="第4章 安装",
    )
    corrective(c1, 1, kind="free", title="向客户书面致歉", due_date=today + 3 * DAY)
    rows += 3

    # promises: awaiting a supervisor, awaiting a manager, approved and told, refused
    def promise(c, days, kind, text, amount=None):
        return services.promise_request(
            actor=handler,
            complaint_id=c.pk,
            kind=kind,
            description=text,
            reason="上门两次未修好，客户要求补偿。",
            amount=amount,
            now=when(c, days),
        )

    promise(c0, 1.5, "compensation", "退还上门服务费", "200.00")
    promise(c1, 1.5, "compensation", "补偿购物卡", "1500.00")
    told = promise(c2, 1.5, "promise", "一周内更换新机")
    services.promise_decide(
        actor=manager, promise_id=told.pk, approve=True, note="同意更换，书面批准。", now=when(c2, 1.6)
    )
    services.promise_communicate(actor=handler, promise_id=told.pk, now=when(c2, 1.7))
    refused = promise(c3, 1.5, "compensation", "赔偿误工费", "800.00")
    services.promise_decide(
        actor=supervisor, promise_id=refused.pk, approve=False, note="不属于赔偿范围。", now=when(c3, 1.6)
    )
    rows += 4

    # improvement actions, one per PDCA column and a closed one
    def action(title, plan, source_kind, source_id, metric, opened):
        return services.improvement_action_open(
            actor=quality,
            source_kind=source_kind,
            source_id=source_id,
            title=title,
            plan=plan,
            metric=metric,
            due_date=(now + 20 * DAY).date(),
            now=opened,
        )

    def pdca(row, steps):
        for action_name, at, note in steps:
            if action_name == "effect":
                services.improvement_effect_check(actor=quality, action_id=row.pk, now=at)
            else:
                services.improvement_action_transition(
                    actor=quality, action_id=row.pk, action=action_name, note=note, now=at
                )

    action("降低漏水类投诉", "分析漏水投诉，改进密封工艺。", "analysis", None, "complaint_rate", now - 2 * DAY)
    doing = action(
        "首次响应提速", "增加早班坐席，首响目标 2 小时。", "complaint", c0.pk, "first_response_sla", now - 20 * DAY
    )
    pdca(doing, [("start", now - 18 * DAY, "")])
    checking = action("缩短维修周期", "常用备件前置到网点。", "complaint", c1.pk, "resolution_median", now - 70 * DAY)
    pdca(checking, [("start", now - 60 * DAY, ""), ("to_check", now - 2 * DAY, ""), ("effect", now - DAY, "")])
    acting = action("减少返修", "维修后 48 小时回访。", "analysis", None, "reopen_rate", now - 80 * DAY)
    pdca(
        acting,
        [
            ("start", now - 70 * DAY, ""),
            ("to_check", now - 10 * DAY, ""),
            ("effect", now - 9 * DAY, ""),
            ("to_act", now - 8 * DAY, ""),
        ],
    )
    closed = action("投诉率下降专项", "质检抽检比例提高到 5%。", "complaint", c2.pk, "complaint_rate", now - 120 * DAY)
    pdca(
        closed,
        [
            ("start", now - 110 * DAY, ""),
            ("to_check", now - 50 * DAY, ""),
            ("effect", now - 49 * DAY, ""),
            ("to_act", now - 48 * DAY, ""),
            ("close", now - 40 * DAY, "纳入质检标准作业程序。"),
        ],
    )
    rows += 5

    month = voc.month_start(now.astimezone(voc.zone()).date())
    for _ in range(3):
        rows += voc.voc_compute(month=month, now=now)
        month = voc.previous_month(month)
    return rows
