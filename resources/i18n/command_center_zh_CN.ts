<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActionBar</name>
    <message>
        <source>Intake</source>
        <translation>受理</translation>
    </message>
    <message>
        <source>Dispatch and acceptance</source>
        <translation>派单签收</translation>
    </message>
    <message>
        <source>Handling</source>
        <translation>办理</translation>
    </message>
    <message>
        <source>Review and close</source>
        <translation>核查结案</translation>
    </message>
    <message>
        <source>On the assignment to {unit}</source>
        <translation>针对派往 {unit} 的派单</translation>
    </message>
</context>
<context>
    <name>ActionDialog</name>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Target order number</source>
        <translation>目标工单编号</translation>
    </message>
    <message>
        <source>Destination</source>
        <translation>转出去向</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Assisting units</source>
        <translation>协办单位</translation>
    </message>
    <message>
        <source>Choice</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>Pass: go on to the return visit</source>
        <translation>通过：转入回访</translation>
    </message>
    <message>
        <source>Fail: send back for rework</source>
        <translation>不通过：退回返工</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>同意</translation>
    </message>
    <message>
        <source>Deny</source>
        <translation>不同意</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>审核意见</translation>
    </message>
    <message>
        <source>Extra days</source>
        <translation>延期天数</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>{name} (optional)</source>
        <translation>{name}（选填）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation>选择文件</translation>
    </message>
</context>
<context>
    <name>ActionWords</name>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Add caller</source>
        <translation>添加来电人</translation>
    </message>
    <message>
        <source>Add attachment</source>
        <translation>添加附件</translation>
    </message>
    <message>
        <source>Answer on the spot</source>
        <translation>直接答复</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <translation>派单</translation>
    </message>
    <message>
        <source>Merge into…</source>
        <translation>归并至…</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Transfer out</source>
        <translation>转出</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>退回</translation>
    </message>
    <message>
        <source>Accept return</source>
        <translation>同意退回</translation>
    </message>
    <message>
        <source>Reject return</source>
        <translation>驳回退回</translation>
    </message>
    <message>
        <source>Pass down</source>
        <translation>下派</translation>
    </message>
    <message>
        <source>Reassign</source>
        <translation>改派</translation>
    </message>
    <message>
        <source>Escalate</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Call in assist</source>
        <translation>追加协办</translation>
    </message>
    <message>
        <source>Progress note</source>
        <translation>记录进展</translation>
    </message>
    <message>
        <source>Request pause</source>
        <translation>申请缓办</translation>
    </message>
    <message>
        <source>Decide pause</source>
        <translation>审批缓办</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>恢复办理</translation>
    </message>
    <message>
        <source>Request extension</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <source>Decide extension</source>
        <translation>审批延期</translation>
    </message>
    <message>
        <source>Assisting answer</source>
        <translation>协办答复</translation>
    </message>
    <message>
        <source>Submit result</source>
        <translation>提交办结</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>核查</translation>
    </message>
    <message>
        <source>Return visit</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重办</translation>
    </message>
    <message>
        <source>Supervise</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>This order is outside your jurisdiction.</source>
        <translation>此工单不在本单位管辖范围内。</translation>
    </message>
    <message>
        <source>Needs one of these roles: {roles}.</source>
        <translation>需具备以下角色之一：{roles}。</translation>
    </message>
    <message>
        <source>Only the order&apos;s centre, or a centre above it, may do this.</source>
        <translation>仅限工单所属中心或其上级中心操作。</translation>
    </message>
    <message>
        <source>Not possible while the order is “{state}”.</source>
        <translation>工单处于“{state}”状态，无法执行此操作。</translation>
    </message>
    <message>
        <source>The order is finished (“{state}”).</source>
        <translation>工单流程已结束（“{state}”）。</translation>
    </message>
    <message>
        <source>The order is paused: resume it first.</source>
        <translation>工单已挂账缓办，请先恢复办理。</translation>
    </message>
    <message>
        <source>Not possible while the assignment is “{state}”.</source>
        <translation>派单处于“{state}”状态，无法执行此操作。</translation>
    </message>
    <message>
        <source>Your unit holds no assignment on this order for this.</source>
        <translation>本单位在此工单上没有可执行此操作的派单。</translation>
    </message>
    <message>
        <source>Only the unit that sent the assignment, or a centre above it.</source>
        <translation>仅限派出该派单的单位或其上级中心操作。</translation>
    </message>
    <message>
        <source>Your unit does not hold the order now.</source>
        <translation>本单位当前未承办此工单。</translation>
    </message>
    <message>
        <source>No unit holds the order now.</source>
        <translation>此工单当前没有承办单位。</translation>
    </message>
    <message>
        <source>There is no unit to choose.</source>
        <translation>没有可选择的单位。</translation>
    </message>
    <message>
        <source>A return from below awaits your decision first.</source>
        <translation>下级的退回申请尚待审核，请先处理。</translation>
    </message>
    <message>
        <source>Waiting for assisting answers from: {units}.</source>
        <translation>尚待以下协办单位答复：{units}。</translation>
    </message>
    <message>
        <source>A request already awaits a decision.</source>
        <translation>已有申请正在等待审批。</translation>
    </message>
    <message>
        <source>No request awaits a decision.</source>
        <translation>没有待审批的申请。</translation>
    </message>
    <message>
        <source>Nothing has been returned.</source>
        <translation>没有待处理的退回。</translation>
    </message>
    <message>
        <source>Only an assisting unit answers this way.</source>
        <translation>仅协办单位可进行协办答复。</translation>
    </message>
    <message>
        <source>The unit above has moved on.</source>
        <translation>上级单位已另行处理。</translation>
    </message>
    <message>
        <source>The assignment is no longer current.</source>
        <translation>该派单已失效。</translation>
    </message>
    <message>
        <source>The extension limit has been reached.</source>
        <translation>已达延期次数上限。</translation>
    </message>
    <message>
        <source>No running deadline to extend.</source>
        <translation>没有正在计时的时限可以延期。</translation>
    </message>
    <message>
        <source>Unknown unit.</source>
        <translation>未知单位。</translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <source>Acknowledge</source>
        <translation>认领</translation>
    </message>
    <message>
        <source>Record that you have seen this alert (Ctrl+Shift+K)</source>
        <translation>认领：记录您已知悉此预警（Ctrl+Shift+K）</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>查看全部</translation>
    </message>
    <message>
        <source>{severity} · {time} · {title}</source>
        <translation>{severity} · {time} · {title}</translation>
    </message>
    <message>
        <source>({count} more waiting)</source>
        <translation>（另有 {count} 条待认领）</translation>
    </message>
</context>
<context>
    <name>AlertList</name>
    <message>
        <source>Alerts</source>
        <translation>预警</translation>
    </message>
    <message>
        <source>Red</source>
        <translation>红色</translation>
    </message>
    <message>
        <source>Orange</source>
        <translation>橙色</translation>
    </message>
    <message>
        <source>Yellow</source>
        <translation>黄色</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>待处置</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>No alerts</source>
        <translation>无预警</translation>
    </message>
    <message>
        <source>{count} open</source>
        <translation>{count} 条</translation>
    </message>
    <message>
        <source>{count} more</source>
        <translation>还有 {count} 条</translation>
    </message>
</context>
<context>
    <name>AlertModel</name>
    <message>
        <source>Severity</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>发出时间</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>预警内容</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Acknowledged by</source>
        <translation>认领人</translation>
    </message>
    <message>
        <source>Whole county</source>
        <translation>全县</translation>
    </message>
</context>
<context>
    <name>AlertWatch</name>
    <message>
        <source>Command Center alerts</source>
        <translation>指挥中心预警</translation>
    </message>
    <message>
        <source>Not acknowledged: {why}</source>
        <translation>未能认领：{why}</translation>
    </message>
    <message>
        <source>Alert acknowledged</source>
        <translation>预警已认领</translation>
    </message>
</context>
<context>
    <name>Alerts</name>
    <message>
        <source>Red alert</source>
        <translation>红色预警</translation>
    </message>
    <message>
        <source>Orange alert</source>
        <translation>橙色预警</translation>
    </message>
    <message>
        <source>Yellow alert</source>
        <translation>黄色预警</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>聚集</translation>
    </message>
    <message>
        <source>Repeat caller</source>
        <translation>重复来电</translation>
    </message>
    <message>
        <source>Sensitive words</source>
        <translation>敏感词</translation>
    </message>
    <message>
        <source>Surge</source>
        <translation>激增</translation>
    </message>
    <message>
        <source>About to breach</source>
        <translation>临期</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>待认领</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已认领</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>To confirm</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>已确认立案</translation>
    </message>
    <message>
        <source>Dismissed</source>
        <translation>已排除</translation>
    </message>
    <message>
        <source>Registered at once</source>
        <translation>自动立案</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>IoT sensor</source>
        <translation>物联感知</translation>
    </message>
</context>
<context>
    <name>AlertsPage</name>
    <message>
        <source>Early warning</source>
        <translation>预警研判</translation>
    </message>
    <message>
        <source>Show closed</source>
        <translation>显示已关闭</translation>
    </message>
    <message>
        <source>&amp;Acknowledge</source>
        <translation>认领(&amp;A)</translation>
    </message>
    <message>
        <source>Record that you have seen this alert</source>
        <translation>记录您已知悉此预警</translation>
    </message>
    <message>
        <source>&amp;Close…</source>
        <translation>关闭(&amp;C)…</translation>
    </message>
    <message>
        <source>Close the alert, saying what was done</source>
        <translation>关闭预警，并说明处置情况</translation>
    </message>
    <message>
        <source>&amp;Open order</source>
        <translation>打开工单(&amp;O)</translation>
    </message>
    <message>
        <source>No alert is open.</source>
        <translation>当前没有未关闭的预警。</translation>
    </message>
    <message>
        <source>Show decided</source>
        <translation>显示已处理</translation>
    </message>
    <message>
        <source>Confirm and &amp;register</source>
        <translation>确认立案(&amp;R)</translation>
    </message>
    <message>
        <source>A real incident: register an order from it</source>
        <translation>确有其事：据此登记工单</translation>
    </message>
    <message>
        <source>&amp;Dismiss…</source>
        <translation>排除误报(&amp;D)…</translation>
    </message>
    <message>
        <source>A false alarm: it never becomes an order</source>
        <translation>误报：不会形成工单</translation>
    </message>
    <message>
        <source>Open &amp;order</source>
        <translation>打开工单(&amp;O)</translation>
    </message>
    <message>
        <source>No feed alert waits for confirmation.</source>
        <translation>没有待确认的感知告警。</translation>
    </message>
    <message>
        <source>Alerts {count}</source>
        <translation>预警 {count}</translation>
    </message>
    <message>
        <source>To confirm {count}</source>
        <translation>待确认 {count}</translation>
    </message>
    <message>
        <source>{waiting} alerts not yet acknowledged, {open} open · {items} feed alerts to confirm</source>
        <translation>待认领预警 {waiting} 条，未关闭 {open} 条 · 待确认感知告警 {items} 条</translation>
    </message>
    <message>
        <source>Acknowledged: {what}</source>
        <translation>已认领：{what}</translation>
    </message>
    <message>
        <source>Close the alert</source>
        <translation>关闭预警</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>What was done, or why it needs nothing (recorded)</source>
        <translation>处置情况，或无需处置的理由（将留档）</translation>
    </message>
    <message>
        <source>Closed: {what}</source>
        <translation>已关闭：{what}</translation>
    </message>
    <message>
        <source>Registered {what} as an order</source>
        <translation>已将“{what}”登记为工单</translation>
    </message>
    <message>
        <source>Dismiss as a false alarm</source>
        <translation>作为误报排除</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>排除</translation>
    </message>
    <message>
        <source>Why it is not an incident (recorded)</source>
        <translation>排除理由（将留档）</translation>
    </message>
    <message>
        <source>Dismissed: {what}</source>
        <translation>已排除：{what}</translation>
    </message>
    <message>
        <source>{what}: not done ({why})</source>
        <translation>{what}：未完成（{why}）</translation>
    </message>
</context>
<context>
    <name>AppealModel</name>
    <message>
        <source>Order no.</source>
        <translation>工单编号</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Mark</source>
        <translation>考核标记</translation>
    </message>
    <message>
        <source>Appealed by</source>
        <translation>申诉单位</translation>
    </message>
    <message>
        <source>Appealed</source>
        <translation>申诉时间</translation>
    </message>
    <message>
        <source>The unit&apos;s reason</source>
        <translation>申诉理由</translation>
    </message>
</context>
<context>
    <name>Appeals</name>
    <message>
        <source>Unsatisfied visit</source>
        <translation>回访不满意</translation>
    </message>
    <message>
        <source>Late acceptance</source>
        <translation>超期签收</translation>
    </message>
    <message>
        <source>Late result</source>
        <translation>超期办结</translation>
    </message>
</context>
<context>
    <name>AppealsTab</name>
    <message>
        <source>No appeal awaits a decision.</source>
        <translation>暂无待裁决的申诉。</translation>
    </message>
    <message>
        <source>Uphold…</source>
        <translation>申诉成立…</translation>
    </message>
    <message>
        <source>The mark is lifted: the assessment no longer counts it</source>
        <translation>撤销该标记：考核不再计入</translation>
    </message>
    <message>
        <source>Dismiss…</source>
        <translation>驳回申诉…</translation>
    </message>
    <message>
        <source>The mark stands</source>
        <translation>维持该标记</translation>
    </message>
    <message>
        <source>Open order</source>
        <translation>打开工单</translation>
    </message>
    <message>
        <source>{number}: {mark}, appealed by {unit}.
Reason: {reason}</source>
        <translation>{number}：{mark}，由{unit}申诉。
理由：{reason}</translation>
    </message>
    <message>
        <source>Uphold the appeal</source>
        <translation>申诉成立</translation>
    </message>
    <message>
        <source>Dismiss the appeal</source>
        <translation>驳回申诉</translation>
    </message>
    <message>
        <source>Uphold</source>
        <translation>成立</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>驳回</translation>
    </message>
    <message>
        <source>Why (recorded with the decision)</source>
        <translation>裁决理由（随裁决记录）</translation>
    </message>
    <message>
        <source>{number}: not decided ({why})</source>
        <translation>{number}：未能裁决（{why}）</translation>
    </message>
    <message>
        <source>{number}: {decision}</source>
        <translation>{number}：{decision}</translation>
    </message>
</context>
<context>
    <name>ArrivalModel</name>
    <message>
        <source>Arrived</source>
        <translation>到达</translation>
    </message>
    <message>
        <source>Source id</source>
        <translation>原编号</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>By</source>
        <translation>处置人</translation>
    </message>
    <message>
        <source>To</source>
        <translation>派往</translation>
    </message>
    <message>
        <source>Took</source>
        <translation>用时</translation>
    </message>
</context>
<context>
    <name>AssessmentModel</name>
    <message>
        <source>Safety index 0–100 (resources/analytics/safety_index.toml)</source>
        <translation>平安指数 0–100（resources/analytics/safety_index.toml）</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>单位/分组</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>综合评分</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>较上月</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Rank {rank}</source>
        <translation>第 {rank} 名</translation>
    </message>
    <message>
        <source>none before</source>
        <translation>上月无</translation>
    </message>
</context>
<context>
    <name>AssessmentPage</name>
    <message>
        <source>Assessment</source>
        <translation>考核评价</translation>
    </message>
    <message>
        <source>◀ Previous month</source>
        <translation>◀ 上月</translation>
    </message>
    <message>
        <source>Next month ▶</source>
        <translation>下月 ▶</translation>
    </message>
    <message>
        <source>County</source>
        <translation>全县</translation>
    </message>
    <message>
        <source>Town</source>
        <translation>乡镇</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>层级</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Composite score</source>
        <translation>综合评分</translation>
    </message>
    <message>
        <source>Safety index</source>
        <translation>平安指数</translation>
    </message>
    <message>
        <source>Select a group and press Enter to list its orders.</source>
        <translation>选中一行后按回车键，列出其工单。</translation>
    </message>
    <message>
        <source>Group by</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>List the group&apos;s orders</source>
        <translation>列出该组工单</translation>
    </message>
    <message>
        <source>Open order</source>
        <translation>打开工单</translation>
    </message>
    <message>
        <source>Computing {period}…</source>
        <translation>正在计算 {period}…</translation>
    </message>
    <message>
        <source>Composite score, {period} (thin light bar: {previous})</source>
        <translation>综合评分 {period}（浅色细条：{previous}）</translation>
    </message>
    <message>
        <source>Nothing registered, due or acted on in {period}.</source>
        <translation>{period} 无受理、到期或办理的工单。</translation>
    </message>
    <message>
        <source>{period}: {groups} groups; change against {previous}; as of {time}</source>
        <translation>{period}：共 {groups} 组；与 {previous} 比较；统计截至 {time}</translation>
    </message>
    <message>
        <source> · published {date} by {name}: these figures are final</source>
        <translation> · 已于 {date} 由 {name} 发布：数据已锁定，不再变动</translation>
    </message>
    <message>
        <source>{name}, {period}: 0–100, ranked; hover a category for its indicators</source>
        <translation>{name}，{period}：0–100 分并排名；鼠标悬停在类别上可查看其指标</translation>
    </message>
    <message>
        <source> · from the published figures</source>
        <translation> · 取自已发布数据</translation>
    </message>
    <message>
        <source>The safety index configuration was refused: {errors}</source>
        <translation>平安指数配置有误，未能采用：{errors}</translation>
    </message>
    <message>
        <source>The safety index is shown when grouped by grid or town.</source>
        <translation>按网格或乡镇分组时显示平安指数。</translation>
    </message>
    <message>
        <source>County total {name}</source>
        <translation>全县合计 {name}</translation>
    </message>
    <message>
        <source>Tier 1 (county)</source>
        <translation>一级（县）</translation>
    </message>
    <message>
        <source>Tier 2 (towns)</source>
        <translation>二级（镇街）</translation>
    </message>
    <message>
        <source>Tier 3 (villages)</source>
        <translation>三级（村社区）</translation>
    </message>
    <message>
        <source>Tier 4 (grids)</source>
        <translation>四级（网格）</translation>
    </message>
    <message>
        <source>Not dispatched / centre</source>
        <translation>未派单/中心</translation>
    </message>
    <message>
        <source>{name} (centre)</source>
        <translation>{name}（中心）</translation>
    </message>
    <message>
        <source>{name} (no grid)</source>
        <translation>{name}（未落网格）</translation>
    </message>
    <message>
        <source>Loading the orders of {group}…</source>
        <translation>正在读取 {group} 的工单…</translation>
    </message>
    <message>
        <source>{group}, {period}: {n} orders (Enter opens one)</source>
        <translation>{group}，{period}：{n} 件工单（按回车键打开）</translation>
    </message>
</context>
<context>
    <name>AssistTable</name>
    <message>
        <source>Assisting unit</source>
        <translation>协办单位</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>答复时间</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>答复内容</translation>
    </message>
</context>
<context>
    <name>AttachmentList</name>
    <message>
        <source>Add files… (Ctrl+O)</source>
        <translation>添加文件…（Ctrl+O）</translation>
    </message>
    <message>
        <source>or drop files on the form</source>
        <translation>或将文件拖放到表单上</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>添加附件</translation>
    </message>
    <message>
        <source>Not attached:</source>
        <translation>未能添加：</translation>
    </message>
    <message>
        <source>{name}
{kind}, {size}
added by {who}</source>
        <translation>{name}
{kind}，{size}
由 {who} 添加</translation>
    </message>
</context>
<context>
    <name>BulkReview</name>
    <message>
        <source>Pass selected (Ctrl+Shift+P)</source>
        <translation>批量核查通过（Ctrl+Shift+P）</translation>
    </message>
    <message>
        <source>Review passed for every selected order: each goes on to its return visit</source>
        <translation>所选工单全部核查通过，逐件转入回访</translation>
    </message>
    <message>
        <source>Pass the selected results</source>
        <translation>批量核查通过</translation>
    </message>
    <message>
        <source>Pass the review of {n} orders? Each goes on to its return visit. Orders changed since the list was read are left as they are.</source>
        <translation>确认 {n} 件工单核查通过？通过后逐件转入回访。列表读取后已被修改的工单将保持原状。</translation>
    </message>
    <message>
        <source>{k} of the selected are a village&apos;s answers that the town checks first: they are left alone.</source>
        <translation>所选工单中有 {k} 件是村级回复，需先由乡镇核查，不予处理。</translation>
    </message>
    <message>
        <source>Pass {n}</source>
        <translation>通过 {n} 件</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>{n} passed.</source>
        <translation>已通过 {n} 件。</translation>
    </message>
    <message>
        <source>Not passed: {list}</source>
        <translation>未通过：{list}</translation>
    </message>
</context>
<context>
    <name>CallerPanel</name>
    <message>
        <source>Caller history</source>
        <translation>来电历史</translation>
    </message>
    <message>
        <source>Repeat caller</source>
        <translation>重复来电</translation>
    </message>
    <message>
        <source>Order no.</source>
        <translation>工单编号</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Keep typing the number…</source>
        <translation>请继续输入号码…</translation>
    </message>
    <message>
        <source>Earlier orders from the number show here as it is typed.</source>
        <translation>输入来电号码后，此处显示该号码的历史工单。</translation>
    </message>
    <message>
        <source>No earlier orders from this number.</source>
        <translation>该号码没有历史工单。</translation>
    </message>
    <message numerus="yes">
        <source>%n earlier order(s) from this number</source>
        <translation>
            <numerusform>该号码共有 %n 条历史工单</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n in the last 30 days.</source>
        <translation>
            <numerusform>，其中近 30 天 %n 条。</numerusform>
        </translation>
    </message>
    <message>
        <source>{n} more are not listed (older, or not yours to see).</source>
        <translation>另有 {n} 条未列出（时间较早或无权查看）。</translation>
    </message>
</context>
<context>
    <name>CategoryBox</name>
    <message>
        <source>Name, code or pinyin initials, e.g. jzgc</source>
        <translation>名称、编码或拼音首字母，如 jzgc</translation>
    </message>
    <message>
        <source>No category matches “{text}”.</source>
        <translation>没有与“{text}”匹配的类别。</translation>
    </message>
    <message>
        <source>Type, then ↑ ↓ and Enter to pick.</source>
        <translation>输入后用 ↑ ↓ 键和回车选择。</translation>
    </message>
    <message>
        <source>dispute</source>
        <translation>矛盾纠纷</translation>
    </message>
</context>
<context>
    <name>DemoProgressDialog</name>
    <message>
        <source>First run — Command Center</source>
        <translation>首次运行 — 社会治理指挥中心</translation>
    </message>
    <message>
        <source>Building a demo county</source>
        <translation>正在生成演示县</translation>
    </message>
    <message>
        <source>This database is empty. A small demo county with towns, villages, grids, departments, users and work orders is being created so you can try the program.</source>
        <translation>当前数据库为空。系统正在生成一个小型演示县（含乡镇、村社区、网格、县直部门、用户和工单），供您试用本系统。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Drawing the county map…</source>
        <translation>正在绘制县域地图…</translation>
    </message>
    <message>
        <source>Creating towns, villages, grids, departments and users…</source>
        <translation>正在创建乡镇、村社区、网格、部门和用户…</translation>
    </message>
    <message>
        <source>Creating work orders and their history…</source>
        <translation>正在生成工单及其办理过程…</translation>
    </message>
    <message>
        <source>Finished.</source>
        <translation>已完成。</translation>
    </message>
    <message>
        <source>Building the demo county ({stage})…</source>
        <translation>正在生成演示县（{stage}）…</translation>
    </message>
</context>
<context>
    <name>DisputeBox</name>
    <message>
        <source>Dispute</source>
        <translation>矛盾纠纷</translation>
    </message>
    <message>
        <source>Neighbours</source>
        <translation>邻里纠纷</translation>
    </message>
    <message>
        <source>Marriage and family</source>
        <translation>婚姻家庭纠纷</translation>
    </message>
    <message>
        <source>Land and property</source>
        <translation>土地房产纠纷</translation>
    </message>
    <message>
        <source>Labour and wages</source>
        <translation>劳资纠纷</translation>
    </message>
    <message>
        <source>Property management</source>
        <translation>物业纠纷</translation>
    </message>
    <message>
        <source>Consumer</source>
        <translation>消费纠纷</translation>
    </message>
    <message>
        <source>Medical</source>
        <translation>医疗纠纷</translation>
    </message>
    <message>
        <source>Type or choose</source>
        <translation>输入或选择</translation>
    </message>
    <message>
        <source>Names, separated by commas</source>
        <translation>姓名，用逗号分隔</translation>
    </message>
    <message>
        <source>Leader who takes charge of the case</source>
        <translation>包案领导姓名</translation>
    </message>
    <message>
        <source>Dispute &amp;type</source>
        <translation>纠纷类型(&amp;T)</translation>
    </message>
    <message>
        <source>Ris&amp;k grade</source>
        <translation>风险等级(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Parties</source>
        <translation>当事人(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Leader responsible</source>
        <translation>包案领导(&amp;L)</translation>
    </message>
</context>
<context>
    <name>DrillConsole</name>
    <message>
        <source>Refused:</source>
        <translation>已拒收：</translation>
    </message>
    <message>
        <source>No active duty officer at the centre to take the calls in.</source>
        <translation>中心没有在岗的值班员可以受理来电。</translation>
    </message>
    <message>
        <source>No such file: {file}</source>
        <translation>找不到文件：{file}</translation>
    </message>
    <message>
        <source>This drill ran scenario “{stored}”: make a new drill database for another one.</source>
        <translation>本演练库运行的是脚本“{stored}”：换脚本请另建演练库。</translation>
    </message>
    <message>
        <source>No row of {file} could be replayed.</source>
        <translation>{file} 中没有可回放的记录。</translation>
    </message>
    <message>
        <source>Save the report as .pdf, .xlsx or .csv.</source>
        <translation>报告请存为 .pdf、.xlsx 或 .csv。</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} 分钟</translation>
    </message>
    <message>
        <source>{h} h</source>
        <translation>{h} 小时</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分钟</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>来电</translation>
    </message>
    <message>
        <source>Grid patrol report</source>
        <translation>网格巡查上报</translation>
    </message>
    <message>
        <source>12345 hand-down</source>
        <translation>12345转办</translation>
    </message>
    <message>
        <source>IoT alert</source>
        <translation>物联感知告警</translation>
    </message>
    <message>
        <source>Video alert</source>
        <translation>视频告警</translation>
    </message>
    <message>
        <source>Unit unreachable</source>
        <translation>单位失联</translation>
    </message>
    <message>
        <source>Unit back</source>
        <translation>单位恢复</translation>
    </message>
    <message>
        <source>Announcement</source>
        <translation>通报</translation>
    </message>
    <message>
        <source>County</source>
        <translation>县级</translation>
    </message>
    <message>
        <source>Town</source>
        <translation>镇级</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村级</translation>
    </message>
    <message>
        <source>In effect</source>
        <translation>已发生</translation>
    </message>
    <message>
        <source>Not yet</source>
        <translation>未到</translation>
    </message>
    <message>
        <source>Dismissed</source>
        <translation>已排除(误报)</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已派单</translation>
    </message>
    <message>
        <source>Dispatched late</source>
        <translation>超时派单</translation>
    </message>
    <message>
        <source>Not dispatched</source>
        <translation>未派单(漏办)</translation>
    </message>
    <message>
        <source>Waiting for dispatch</source>
        <translation>待派单</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Not handled</source>
        <translation>未处置(漏办)</translation>
    </message>
    <message>
        <source>Refused by intake</source>
        <translation>受理被拒</translation>
    </message>
    <message>
        <source>Waiting for confirmation</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>Dismiss as false alarm</source>
        <translation>排除误报</translation>
    </message>
    <message>
        <source>within {time}</source>
        <translation>{time}内</translation>
    </message>
</context>
<context>
    <name>DrillConsolePage</name>
    <message>
        <source>Drill console</source>
        <translation>演练导调台</translation>
    </message>
    <message>
        <source>Script: what arrives</source>
        <translation>脚本：注入事项</translation>
    </message>
    <message>
        <source>Trainees: what they did (live)</source>
        <translation>学员：处置情况（实时）</translation>
    </message>
    <message>
        <source>Replayed requests beside what the trainees did (latest {n}, live)</source>
        <translation>回放诉求与学员处置对照（最近 {n} 件，实时）</translation>
    </message>
    <message>
        <source>Trainees&apos; scores so far</source>
        <translation>学员实时成绩</translation>
    </message>
    <message>
        <source>Arrivals come this many times faster; trainees&apos; deadlines stay as written</source>
        <translation>事项到达加快这么多倍；学员的处置时限不变</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>开始(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>S&amp;kip to next</source>
        <translation>跳到下一条(&amp;K)</translation>
    </message>
    <message>
        <source>Skip the quiet stretch: the next item arrives now</source>
        <translation>跳过空闲时段：下一条立即到达</translation>
    </message>
    <message>
        <source>S&amp;top drill</source>
        <translation>结束演练(&amp;T)</translation>
    </message>
    <message>
        <source>End the drill for good; scores are taken as of now</source>
        <translation>彻底结束演练；成绩以此刻为准</translation>
    </message>
    <message>
        <source>Score &amp;report…</source>
        <translation>评分报告(&amp;R)…</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>读取中…</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <source>■ Stopped at {time}</source>
        <translation>■ 已于 {time} 结束</translation>
    </message>
    <message>
        <source>○ Not started</source>
        <translation>○ 未开始</translation>
    </message>
    <message>
        <source>● All arrived: trainees still at work</source>
        <translation>● 已全部注入：学员处置中</translation>
    </message>
    <message>
        <source>❚❚ Paused</source>
        <translation>❚❚ 已暂停</translation>
    </message>
    <message>
        <source>▶ Running at {speed}×</source>
        <translation>▶ 运行中 {speed}×</translation>
    </message>
    <message>
        <source>Drill time {reached} of {span}</source>
        <translation>演练时间 {reached} / {span}</translation>
    </message>
    <message>
        <source>replayed up to {time}</source>
        <translation>已回放至 {time}</translation>
    </message>
    <message>
        <source>{n} refused by intake</source>
        <translation>受理拒收 {n} 件</translation>
    </message>
    <message>
        <source>next at {time}</source>
        <translation>下一条 {time}</translation>
    </message>
    <message>
        <source>Scenario {id} began in this drill: Start goes on where it stood</source>
        <translation>本演练已运行过脚本 {id}：点“开始”接着进行</translation>
    </message>
    <message>
        <source>Save the score report</source>
        <translation>保存评分报告</translation>
    </message>
    <message>
        <source>drill-scores</source>
        <translation>演练评分</translation>
    </message>
    <message>
        <source>Report written: {path}</source>
        <translation>已写出报告：{path}</translation>
    </message>
</context>
<context>
    <name>DrillModel</name>
    <message>
        <source>Number</source>
        <translation>工单编号</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>受理时间</translation>
    </message>
</context>
<context>
    <name>DrillSource</name>
    <message>
        <source>What to run</source>
        <translation>演练内容</translation>
    </message>
    <message>
        <source>Scenario (scripted injects)</source>
        <translation>脚本演练（预设注入）</translation>
    </message>
    <message>
        <source>Replay a real day of 311 requests</source>
        <translation>回放真实一天的 311 诉求</translation>
    </message>
    <message>
        <source>Other file…</source>
        <translation>其他文件…</translation>
    </message>
    <message>
        <source>a 311 CSV export</source>
        <translation>311 导出的 CSV 文件</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>not thinned</source>
        <translation>不抽稀</translation>
    </message>
    <message>
        <source> a day</source>
        <translation> 件/天</translation>
    </message>
    <message>
        <source>Thin the replay to about this many requests a day: a county&apos;s rate</source>
        <translation>把回放抽稀到每天约这么多件：一个县的量</translation>
    </message>
    <message>
        <source>Scenario</source>
        <translation>脚本</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出文件</translation>
    </message>
    <message>
        <source>Mapping · thinned to</source>
        <translation>字段映射 · 抽稀到</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Scenario file</source>
        <translation>脚本文件</translation>
    </message>
    <message>
        <source>311 export</source>
        <translation>311 导出文件</translation>
    </message>
</context>
<context>
    <name>DuplicatePanel</name>
    <message>
        <source>Possible duplicates</source>
        <translation>疑似重复工单</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>What, where, and why</source>
        <translation>内容、地点及相似原因</translation>
    </message>
    <message>
        <source>No similar open order in the last 30 days.</source>
        <translation>近 30 天内没有相似的在办工单。</translation>
    </message>
    <message>
        <source>Similar orders show here as the call is typed.</source>
        <translation>录入来电内容时，此处显示相似工单。</translation>
    </message>
    <message>
        <source>Same matter? Ctrl+M adds this caller to the selected order instead of opening a new one; Ctrl+↓ and Ctrl+↑ select another.</source>
        <translation>是同一诉求？按 Ctrl+M 将本次来电人添加到所选工单，不再新建工单；按 Ctrl+↓ 和 Ctrl+↑ 选择其他工单。</translation>
    </message>
    <message>
        <source>{m} m away</source>
        <translation>相距 {m} 米</translation>
    </message>
    <message>
        <source>{n} callers</source>
        <translation>{n} 位来电人</translation>
    </message>
    <message>
        <source>Why: {reasons}</source>
        <translation>相似原因：{reasons}</translation>
    </message>
</context>
<context>
    <name>EditLock</name>
    <message>
        <source>{name} has been editing this order since {time} (workstation {ws}). You can still edit it; whoever saves second will be asked to reload.</source>
        <translation>{name} 自 {time} 起正在编辑此工单（工作站 {ws}）。您仍可编辑；后保存的一方将被提示重新载入。</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Command Center</source>
        <translation>社会治理指挥中心</translation>
    </message>
    <message>
        <source>Wrong user name or password. Please try again.</source>
        <translation>用户名或密码错误，请重新输入。</translation>
    </message>
    <message>
        <source>The database schema is older than this program. Ask the administrator to run “main.py db upgrade”.</source>
        <translation>数据库结构版本低于本程序，请联系管理员执行“main.py db upgrade”升级数据库。</translation>
    </message>
    <message>
        <source>The database was upgraded by a newer version of this program. Install that version on this workstation.</source>
        <translation>数据库已被更高版本的程序升级，请在本工作站安装该版本。</translation>
    </message>
    <message>
        <source>The database has no schema yet. Run “main.py db upgrade” first.</source>
        <translation>数据库尚未初始化，请先执行“main.py db upgrade”。</translation>
    </message>
    <message>
        <source>Cannot reach the database. Check the network or ask the administrator.</source>
        <translation>无法连接数据库，请检查网络或联系管理员。</translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation>发生意外错误：{error}</translation>
    </message>
    <message>
        <source>Not possible while the order is “{state}”.</source>
        <translation>工单处于“{state}”状态，无法执行此操作。</translation>
    </message>
    <message>
        <source>Someone else changed the order first: reload it and try again.</source>
        <translation>他人已先修改该工单：请重新载入后再试。</translation>
    </message>
    <message>
        <source>The order is outside your unit&apos;s jurisdiction.</source>
        <translation>该工单不在您单位的管辖范围内。</translation>
    </message>
    <message>
        <source>{url} is not a drill database: drills never touch live data. Make one with “main.py drill create”.</source>
        <translation>{url} 不是演练数据库：演练从不触碰真实数据。请先用“main.py drill create”建一个。</translation>
    </message>
    <message>
        <source>Your role may not do this.</source>
        <translation>您的角色无权执行此操作。</translation>
    </message>
    <message>
        <source>The request was refused ({code}: {reason}).</source>
        <translation>操作被拒绝（{code}：{reason}）。</translation>
    </message>
    <message>
        <source>The request was refused ({code}).</source>
        <translation>操作被拒绝（{code}）。</translation>
    </message>
</context>
<context>
    <name>HopTree</name>
    <message>
        <source>Assignment</source>
        <translation>派单环节</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>派单时间</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>签收时间</translation>
    </message>
    <message>
        <source>Answer, return reason or note</source>
        <translation>答复、退回理由或备注</translation>
    </message>
</context>
<context>
    <name>IntakeFields</name>
    <message>
        <source>Hotline intake</source>
        <translation>来电受理</translation>
    </message>
    <message>
        <source>Ctrl+Enter save and dispatch · Ctrl+S save only · Ctrl+R answered on the spot · Ctrl+N new call</source>
        <translation>Ctrl+Enter 保存并派单 · Ctrl+S 仅保存 · Ctrl+R 直接答复 · Ctrl+N 新来电</translation>
    </message>
    <message>
        <source>e.g. 138 1234 5678</source>
        <translation>如 138 1234 5678</translation>
    </message>
    <message>
        <source>&amp;Anonymous</source>
        <translation>匿名(&amp;A)</translation>
    </message>
    <message>
        <source>What the caller says…</source>
        <translation>来电人反映的诉求…</translation>
    </message>
    <message>
        <source>Optional: the first line of the description is used</source>
        <translation>选填：留空则取诉求内容的第一行</translation>
    </message>
    <message>
        <source>Con&amp;fidential informant</source>
        <translation>举报人保密(&amp;F)</translation>
    </message>
    <message>
        <source>The answer given to the caller; Ctrl+R again saves the order closed.</source>
        <translation>对来电人的答复内容；再按 Ctrl+R 即保存并结案。</translation>
    </message>
    <message>
        <source>Save and dispatch   Ctrl+Enter</source>
        <translation>保存并派单   Ctrl+Enter</translation>
    </message>
    <message>
        <source>Save only   Ctrl+S</source>
        <translation>仅保存   Ctrl+S</translation>
    </message>
    <message>
        <source>Answered on the spot   Ctrl+R</source>
        <translation>直接答复   Ctrl+R</translation>
    </message>
    <message>
        <source>New call   Ctrl+N</source>
        <translation>新来电   Ctrl+N</translation>
    </message>
    <message>
        <source>Caller na&amp;me</source>
        <translation>来电人姓名(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Phone</source>
        <translation>来电号码(&amp;P)</translation>
    </message>
    <message>
        <source>Ca&amp;tegory</source>
        <translation>类别(&amp;T)</translation>
    </message>
    <message>
        <source>Request t&amp;ype</source>
        <translation>诉求类型(&amp;Y)</translation>
    </message>
    <message>
        <source>&amp;Description</source>
        <translation>诉求内容(&amp;D)</translation>
    </message>
    <message>
        <source>T&amp;itle</source>
        <translation>标题(&amp;I)</translation>
    </message>
    <message>
        <source>Add&amp;ress</source>
        <translation>地址(&amp;R)</translation>
    </message>
    <message>
        <source>C&amp;hannel</source>
        <translation>渠道(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Urgency</source>
        <translation>紧急程度(&amp;U)</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>Answer &amp;given</source>
        <translation>答复内容(&amp;G)</translation>
    </message>
    <message>
        <source>Choose one: press 1–{n}.</source>
        <translation>请选择一项：按 1–{n}。</translation>
    </message>
    <message>
        <source>Please correct:</source>
        <translation>请更正：</translation>
    </message>
</context>
<context>
    <name>IntakeForm</name>
    <message>
        <source>No unit to suggest: dispatch from the order list.</source>
        <translation>暂无推荐的承办单位：请到工单列表中派单。</translation>
    </message>
    <message>
        <source>{n} file(s) attached.</source>
        <translation>已添加 {n} 个附件。</translation>
    </message>
    <message>
        <source>Not attached: {files}.</source>
        <translation>未能添加：{files}。</translation>
    </message>
    <message>
        <source>Order {number} is registered, but the next step failed: {why} Ctrl+Enter tries again; Ctrl+N leaves it awaiting dispatch.</source>
        <translation>工单 {number} 已受理登记，但后续步骤失败：{why} 按 Ctrl+Enter 重试；按 Ctrl+N 则保留为待派单。</translation>
    </message>
    <message>
        <source>Order {number} answered on the spot and closed.</source>
        <translation>工单 {number} 已直接答复并结案。</translation>
    </message>
    <message>
        <source>Order {number} registered and dispatched to {unit}.</source>
        <translation>工单 {number} 已受理，并派往 {unit}。</translation>
    </message>
    <message>
        <source>Order {number} registered; it awaits dispatch.</source>
        <translation>工单 {number} 已受理，待派单。</translation>
    </message>
    <message>
        <source>Another call on this matter ({caller}): {text}</source>
        <translation>同一诉求再次来电（{caller}）：{text}</translation>
    </message>
    <message>
        <source>caller</source>
        <translation>来电人</translation>
    </message>
    <message>
        <source>Order {source} merged into order {number}: its callers and history are kept there.</source>
        <translation>工单 {source} 已归并至工单 {number}，其来电人和办理记录均保留在该工单中。</translation>
    </message>
    <message>
        <source>Caller added to order {number} ({title}); no new order was registered.</source>
        <translation>已将来电人添加到工单 {number}（{title}），未新建工单。</translation>
    </message>
    <message>
        <source>The database cannot be reached, so nothing was saved. Your entries are kept in this form: save again when the connection is back.</source>
        <translation>无法连接数据库，未保存任何内容。您输入的内容仍保留在表单中，连接恢复后请再次保存。</translation>
    </message>
    <message>
        <source>Disconnected from the database: saving is not possible now.</source>
        <translation>与数据库的连接已中断：暂时无法保存。</translation>
    </message>
    <message>
        <source>New call</source>
        <translation>新来电</translation>
    </message>
    <message>
        <source>Discard what was typed for this call?</source>
        <translation>放弃本次来电已录入的内容？</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ItemModel</name>
    <message>
        <source>Occurred</source>
        <translation>发生时间</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>What</source>
        <translation>告警内容</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
</context>
<context>
    <name>KpiStrip</name>
    <message>
        <source>Received today</source>
        <translation>今日受理</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>在办</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>临期</translation>
    </message>
    <message>
        <source>Closed today</source>
        <translation>今日办结</translation>
    </message>
    <message>
        <source>Closed on time</source>
        <translation>按时办结率</translation>
    </message>
    <message>
        <source>Satisfaction</source>
        <translation>满意率</translation>
    </message>
    <message>
        <source>Accepted on time</source>
        <translation>及时签收率</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>In progress</source>
        <translation>办理中</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>挂账·缓办</translation>
    </message>
    <message>
        <source>Awaiting review</source>
        <translation>待核查</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Merged</source>
        <translation>已归并</translation>
    </message>
    <message>
        <source>Transferred out</source>
        <translation>已转出</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>12345 hotline</source>
        <translation>12345热线</translation>
    </message>
    <message>
        <source>Awaiting dispatch</source>
        <translation>已受理·待派单</translation>
    </message>
    <message>
        <source>Awaiting acceptance</source>
        <translation>已派单·待签收</translation>
    </message>
    <message>
        <source>Awaiting visit</source>
        <translation>待回访</translation>
    </message>
    <message>
        <source>City platform</source>
        <translation>市12345平台</translation>
    </message>
    <message>
        <source>Grid patrol</source>
        <translation>网格员巡查</translation>
    </message>
    <message>
        <source>Video / IoT alert</source>
        <translation>视频物联感知</translation>
    </message>
    <message>
        <source>Online message</source>
        <translation>网上留言</translation>
    </message>
    <message>
        <source>Letters and visits</source>
        <translation>信访</translation>
    </message>
    <message>
        <source>Public opinion</source>
        <translation>舆情</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>来访</translation>
    </message>
    <message>
        <source>Department transfer</source>
        <translation>部门转办</translation>
    </message>
    <message>
        <source>110 transfer</source>
        <translation>110非警务警情</translation>
    </message>
    <message>
        <source>Consultation</source>
        <translation>咨询</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>求助</translation>
    </message>
    <message>
        <source>Complaint</source>
        <translation>投诉</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>举报</translation>
    </message>
    <message>
        <source>Suggestion</source>
        <translation>建议</translation>
    </message>
    <message>
        <source>Praise</source>
        <translation>表扬</translation>
    </message>
    <message>
        <source>Duty officer</source>
        <translation>值班员</translation>
    </message>
    <message>
        <source>Shift lead</source>
        <translation>值班长</translation>
    </message>
    <message>
        <source>Handler</source>
        <translation>处置人员</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>核查督办员</translation>
    </message>
    <message>
        <source>Commander</source>
        <translation>指挥长</translation>
    </message>
    <message>
        <source>Trainer</source>
        <translation>培训员</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>系统管理员</translation>
    </message>
    <message>
        <source>Wall display</source>
        <translation>大屏</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>特急</translation>
    </message>
    <message>
        <source>County level</source>
        <translation>县级</translation>
    </message>
    <message>
        <source>Town level</source>
        <translation>镇级</translation>
    </message>
    <message>
        <source>Village level</source>
        <translation>村级</translation>
    </message>
    <message>
        <source>To dispatch</source>
        <translation>待派单</translation>
    </message>
    <message>
        <source>To accept</source>
        <translation>待签收</translation>
    </message>
    <message>
        <source>Being handled</source>
        <translation>办理中</translation>
    </message>
    <message>
        <source>To review</source>
        <translation>待核查</translation>
    </message>
    <message>
        <source>To visit</source>
        <translation>待回访</translation>
    </message>
    <message>
        <source>Red</source>
        <translation>红色</translation>
    </message>
    <message>
        <source>Orange</source>
        <translation>橙色</translation>
    </message>
    <message>
        <source>Yellow</source>
        <translation>黄色</translation>
    </message>
    <message>
        <source>Green</source>
        <translation>绿色</translation>
    </message>
    <message>
        <source>Site photo (before)</source>
        <translation>现场照片（处置前）</translation>
    </message>
    <message>
        <source>Site photo (after)</source>
        <translation>现场照片（处置后）</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <source>past routing of {history_orders} similar orders in {history_days} days</source>
        <translation>参照 {history_orders} 件同类工单（近 {history_days} 天）的派单去向</translation>
    </message>
    <message>
        <source>the department that owns “{category}”</source>
        <translation>“{category}”的主管部门</translation>
    </message>
    <message>
        <source>the town or street of the location</source>
        <translation>事发地所属乡镇（街道）</translation>
    </message>
    <message>
        <source>the village or community of the location</source>
        <translation>事发地所属村（社区）</translation>
    </message>
    <message>
        <source>the grid of the location</source>
        <translation>事发地所属网格</translation>
    </message>
    <message>
        <source>same place</source>
        <translation>地点相近</translation>
    </message>
    <message>
        <source>same category</source>
        <translation>同一类别</translation>
    </message>
    <message>
        <source>related category</source>
        <translation>相关类别</translation>
    </message>
    <message>
        <source>similar wording</source>
        <translation>描述相似</translation>
    </message>
    <message>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
    <message>
        <source>Too long: {length} characters, at most {max}.</source>
        <translation>过长：{length} 个字，最多 {max} 个。</translation>
    </message>
    <message>
        <source>Choose one of the options.</source>
        <translation>请从选项中选择。</translation>
    </message>
    <message>
        <source>Pick a category from the list.</source>
        <translation>请从列表中选择类别。</translation>
    </message>
    <message>
        <source>This is a group: pick a category inside it.</source>
        <translation>这是分类目录，请选择其下的具体类别。</translation>
    </message>
    <message>
        <source>Enter the caller&apos;s number, or tick Anonymous.</source>
        <translation>请输入来电号码，或勾选“匿名”。</translation>
    </message>
    <message>
        <source>Only digits, spaces, “-” and brackets: “{char}” is not allowed.</source>
        <translation>只能填写数字、空格、“-”和括号，不能包含“{char}”。</translation>
    </message>
    <message>
        <source>A foreign number cannot be called back.</source>
        <translation>境外号码无法回拨。</translation>
    </message>
    <message>
        <source>Not a phone number: {digits} digits. A mobile has 11.</source>
        <translation>不是有效的电话号码：共 {digits} 位数字，手机号应为 11 位。</translation>
    </message>
    <message>
        <source>No mobile number starts with {prefix}.</source>
        <translation>没有以 {prefix} 开头的手机号段。</translation>
    </message>
    <message>
        <source>A landline needs its area code (e.g. 0517).</source>
        <translation>固定电话须加区号（如 0517）。</translation>
    </message>
    <message>
        <source>Unknown area code {area_code}.</source>
        <translation>未知区号 {area_code}。</translation>
    </message>
    <message>
        <source>A local number never starts with {first_digit}.</source>
        <translation>本地号码不能以 {first_digit} 开头。</translation>
    </message>
    <message>
        <source>An extension has at most 6 digits.</source>
        <translation>分机号最多 6 位。</translation>
    </message>
    <message>
        <source>A mobile has no extension.</source>
        <translation>手机号不能带分机号。</translation>
    </message>
    <message>
        <source>Both longitude and latitude.</source>
        <translation>经度和纬度须同时填写。</translation>
    </message>
    <message>
        <source>Not a point on the map.</source>
        <translation>不是有效的地图坐标。</translation>
    </message>
    <message>
        <source>Longitude and latitude look swapped.</source>
        <translation>经度和纬度似乎填反了。</translation>
    </message>
    <message>
        <source>Outside the county: transfer the order out instead.</source>
        <translation>不在本县范围内：请改为转出工单。</translation>
    </message>
    <message>
        <source>Outside this centre&apos;s territory.</source>
        <translation>不在本中心辖区内。</translation>
    </message>
    <message>
        <source>A department is not a location.</source>
        <translation>部门不能作为事发地点。</translation>
    </message>
    <message>
        <source>Unknown unit.</source>
        <translation>未知单位。</translation>
    </message>
    <message>
        <source>This centre cannot dispatch to that unit.</source>
        <translation>本中心不能向该单位派单。</translation>
    </message>
    <message>
        <source>Escalated before: choose a higher tier.</source>
        <translation>此前已上报过：请选择更高层级。</translation>
    </message>
    <message>
        <source>Dispute fields need a dispute category.</source>
        <translation>纠纷信息只能用于矛盾纠纷类别。</translation>
    </message>
    <message>
        <source>The file is empty.</source>
        <translation>文件为空。</translation>
    </message>
    <message>
        <source>Larger than {max_mb} MB.</source>
        <translation>超过 {max_mb} MB。</translation>
    </message>
    <message>
        <source>The file name cannot be stored.</source>
        <translation>文件名无法保存。</translation>
    </message>
    <message>
        <source>The file cannot be read.</source>
        <translation>无法读取该文件。</translation>
    </message>
    <message>
        <source>Not a file.</source>
        <translation>不是文件。</translation>
    </message>
    <message>
        <source>Passed down</source>
        <translation>已下派</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>已答复</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <source>Return accepted</source>
        <translation>已同意退回</translation>
    </message>
    <message>
        <source>Withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>已上报</translation>
    </message>
    <message>
        <source>Lead</source>
        <translation>主办</translation>
    </message>
    <message>
        <source>Assisting</source>
        <translation>协办</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>受理登记</translation>
    </message>
    <message>
        <source>Answered on the spot</source>
        <translation>直接答复</translation>
    </message>
    <message>
        <source>Field edited</source>
        <translation>修改信息</translation>
    </message>
    <message>
        <source>Note from the sending system</source>
        <translation>来源平台记录</translation>
    </message>
    <message>
        <source>Caller added</source>
        <translation>添加来电人</translation>
    </message>
    <message>
        <source>Attachment added</source>
        <translation>添加附件</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>派单</translation>
    </message>
    <message>
        <source>Assisting unit called in</source>
        <translation>追加协办单位</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>Return rejected</source>
        <translation>驳回退回</translation>
    </message>
    <message>
        <source>Reassigned</source>
        <translation>改派</translation>
    </message>
    <message>
        <source>Progress note</source>
        <translation>进展记录</translation>
    </message>
    <message>
        <source>Pause requested</source>
        <translation>申请缓办</translation>
    </message>
    <message>
        <source>Pause approved</source>
        <translation>同意缓办</translation>
    </message>
    <message>
        <source>Pause denied</source>
        <translation>不同意缓办</translation>
    </message>
    <message>
        <source>Resumed</source>
        <translation>恢复办理</translation>
    </message>
    <message>
        <source>Extension requested</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <source>Extension approved</source>
        <translation>同意延期</translation>
    </message>
    <message>
        <source>Extension denied</source>
        <translation>不同意延期</translation>
    </message>
    <message>
        <source>Assisting answer</source>
        <translation>协办答复</translation>
    </message>
    <message>
        <source>Result submitted</source>
        <translation>提交办结</translation>
    </message>
    <message>
        <source>Review passed</source>
        <translation>核查通过</translation>
    </message>
    <message>
        <source>Review failed: rework</source>
        <translation>核查不通过·返工</translation>
    </message>
    <message>
        <source>Return visit</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Visit window expired</source>
        <translation>回访期限已过</translation>
    </message>
    <message>
        <source>Reopened</source>
        <translation>重办</translation>
    </message>
    <message>
        <source>Dissatisfaction screened</source>
        <translation>不满意甄别</translation>
    </message>
    <message>
        <source>Appeal filed</source>
        <translation>提出申诉</translation>
    </message>
    <message>
        <source>Appeal decided</source>
        <translation>申诉裁决</translation>
    </message>
    <message>
        <source>Duplicate merged in</source>
        <translation>归并重复工单</translation>
    </message>
    <message>
        <source>Supervision notice</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Deadline near</source>
        <translation>临近时限</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已超期</translation>
    </message>
    <message>
        <source>Unreasonable: set aside</source>
        <translation>不合理：不计入考核</translation>
    </message>
    <message>
        <source>Reasonable: the mark stands</source>
        <translation>合理：维持标记</translation>
    </message>
    <message>
        <source>Upheld: the mark is lifted</source>
        <translation>申诉成立：撤销标记</translation>
    </message>
    <message>
        <source>Dismissed: the mark stands</source>
        <translation>申诉驳回：维持标记</translation>
    </message>
    <message>
        <source>Satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <source>Basically satisfied</source>
        <translation>基本满意</translation>
    </message>
    <message>
        <source>Unsatisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <source>Unreachable</source>
        <translation>联系不上</translation>
    </message>
    <message>
        <source>Mediation agreement</source>
        <translation>达成调解协议</translation>
    </message>
    <message>
        <source>Judicial confirmation</source>
        <translation>司法确认</translation>
    </message>
    <message>
        <source>Referred to court</source>
        <translation>引导诉讼</translation>
    </message>
    <message>
        <source>Mediation failed</source>
        <translation>调解未成功</translation>
    </message>
    <message>
        <source>Yellow card</source>
        <translation>黄牌督办</translation>
    </message>
    <message>
        <source>Red card</source>
        <translation>红牌督办</translation>
    </message>
    <message>
        <source>General</source>
        <translation>一般事项</translation>
    </message>
    <message>
        <source>Simple dispute</source>
        <translation>简易纠纷</translation>
    </message>
    <message>
        <source>Hard dispute</source>
        <translation>疑难纠纷</translation>
    </message>
    <message>
        <source>Safety</source>
        <translation>安全隐患</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>诉求内容</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Time-limit class</source>
        <translation>时限类别</translation>
    </message>
    <message>
        <source>Request type</source>
        <translation>诉求类型</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>来电人</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <source>Anonymous</source>
        <translation>匿名</translation>
    </message>
    <message>
        <source>Confidential</source>
        <translation>保密</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Coordinates</source>
        <translation>经纬度</translation>
    </message>
    <message>
        <source>Dispute type</source>
        <translation>纠纷类型</translation>
    </message>
    <message>
        <source>Risk grade</source>
        <translation>风险等级</translation>
    </message>
    <message>
        <source>Parties</source>
        <translation>当事人</translation>
    </message>
    <message>
        <source>Leader responsible</source>
        <translation>包案领导</translation>
    </message>
    <message>
        <source>Mediation outcome</source>
        <translation>调解结果</translation>
    </message>
    <message>
        <source>Platform order no.</source>
        <translation>平台工单编号</translation>
    </message>
    <message>
        <source>Platform deadline</source>
        <translation>平台办结时限</translation>
    </message>
    <message>
        <source>110 incident no.</source>
        <translation>110警情编号</translation>
    </message>
</context>
<context>
    <name>LateModel</name>
    <message>
        <source>Overdue by</source>
        <translation>超期时长</translation>
    </message>
    <message>
        <source>Order no.</source>
        <translation>工单编号</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <source>Notices so far</source>
        <translation>已督办</translation>
    </message>
    <message>
        <source>Suggested</source>
        <translation>建议</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>依据</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Yellow {y} · Red {r}</source>
        <translation>黄牌 {y} · 红牌 {r}</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>挂账·缓办</translation>
    </message>
    <message>
        <source>Overdue {span}</source>
        <translation>已超期 {span}</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>临期</translation>
    </message>
    <message>
        <source>{d} d {h} h</source>
        <translation>{d} 天 {h} 小时</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} 分钟</translation>
    </message>
    <message>
        <source>Yellow notice</source>
        <translation>黄牌督办</translation>
    </message>
    <message>
        <source>Red notice</source>
        <translation>红牌督办</translation>
    </message>
    <message>
        <source>Escalate to {unit}</source>
        <translation>提级至{unit}</translation>
    </message>
    <message>
        <source>Due soon, no notice yet</source>
        <translation>临期，尚未督办</translation>
    </message>
    <message>
        <source>Overdue, no notice yet</source>
        <translation>已超期，尚未督办</translation>
    </message>
    <message>
        <source>Overdue {age} working days after yellow</source>
        <translation>黄牌后 {age} 个工作日仍超期</translation>
    </message>
    <message>
        <source>Yellow {age} working days ago; red after {needed}</source>
        <translation>{age} 个工作日前已黄牌；满 {needed} 个工作日升红牌</translation>
    </message>
    <message>
        <source>Overdue {age} working days after red</source>
        <translation>红牌后 {age} 个工作日仍超期</translation>
    </message>
    <message>
        <source>Red {age} working days ago; escalate after {needed}</source>
        <translation>{age} 个工作日前已红牌；满 {needed} 个工作日提级</translation>
    </message>
    <message>
        <source>Due soon, already noticed</source>
        <translation>临期，已督办</translation>
    </message>
    <message>
        <source>Paused: the clock is stopped</source>
        <translation>挂账：计时已暂停</translation>
    </message>
    <message>
        <source>No rule applies</source>
        <translation>无适用规则</translation>
    </message>
</context>
<context>
    <name>LateTab</name>
    <message>
        <source>&amp;Yellow notice…</source>
        <translation>黄牌督办(&amp;Y)…</translation>
    </message>
    <message>
        <source>&amp;Red notice…</source>
        <translation>红牌督办(&amp;R)…</translation>
    </message>
    <message>
        <source>Apply &amp;suggestion…</source>
        <translation>采纳建议(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Open order</source>
        <translation>打开工单(&amp;O)</translation>
    </message>
</context>
<context>
    <name>LevelFunnel</name>
    <message>
        <source>Open orders by level</source>
        <translation>层级漏斗</translation>
    </message>
    <message>
        <source>County</source>
        <translation>县级</translation>
    </message>
    <message>
        <source>Town</source>
        <translation>镇级</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村级</translation>
    </message>
    <message>
        <source>To dispatch</source>
        <translation>待派单</translation>
    </message>
    <message>
        <source>To accept</source>
        <translation>待签收</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>办理中</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>挂账</translation>
    </message>
    <message>
        <source>To review</source>
        <translation>待核查</translation>
    </message>
    <message>
        <source>To visit</source>
        <translation>待回访</translation>
    </message>
</context>
<context>
    <name>LinkStatus</name>
    <message>
        <source>{name} ({roles})</source>
        <translation>{name}（{roles}）</translation>
    </message>
    <message>
        <source>User: {user}</source>
        <translation>用户：{user}</translation>
    </message>
    <message>
        <source>Unit: {unit}</source>
        <translation>单位：{unit}</translation>
    </message>
    <message>
        <source>Database: {url}</source>
        <translation>数据库：{url}</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Service: running</source>
        <translation>服务进程：运行中</translation>
    </message>
    <message>
        <source>Service: not running (deadlines are not being marked)</source>
        <translation>服务进程：未运行（时限预警与超期不会被标记）</translation>
    </message>
    <message>
        <source>Data confirmed at {time}</source>
        <translation>数据确认于 {time}</translation>
    </message>
    <message>
        <source>Last confirmed at {time}.</source>
        <translation>最后确认于 {time}。</translation>
    </message>
    <message>
        <source>Retrying in {seconds:.0f} s.</source>
        <translation>{seconds:.0f} 秒后重试。</translation>
    </message>
    <message>
        <source>The connection to the database is lost. What is shown may be out of date. {retry} {last}</source>
        <translation>与数据库的连接已中断，当前显示的内容可能已过期。{retry}{last}</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>连接中断</translation>
    </message>
</context>
<context>
    <name>LocationBox</name>
    <message>
        <source>Street and number, village, building…</source>
        <translation>街道门牌、村组、楼栋…</translation>
    </message>
    <message>
        <source>Map… (Ctrl+G)</source>
        <translation>地图选点…（Ctrl+G）</translation>
    </message>
    <message>
        <source>Not in the standard-address table: kept as text. Ctrl+G picks the point on the map.</source>
        <translation>标准地址库中没有此地址，将按文字保存。按 Ctrl+G 可在地图上选点。</translation>
    </message>
    <message>
        <source>Type, then ↑ ↓ and Enter to pick a standard address; or Ctrl+G.</source>
        <translation>输入后用 ↑ ↓ 键和回车选择标准地址；或按 Ctrl+G 在地图上选点。</translation>
    </message>
    <message>
        <source>Town: {name}</source>
        <translation>乡镇：{name}</translation>
    </message>
    <message>
        <source>Village: {name}</source>
        <translation>村（社区）：{name}</translation>
    </message>
    <message>
        <source>Grid: {name}</source>
        <translation>网格：{name}</translation>
    </message>
    <message>
        <source>Grid worker: {names}</source>
        <translation>网格员：{names}</translation>
    </message>
    <message>
        <source>no grid worker registered</source>
        <translation>未登记网格员</translation>
    </message>
    <message>
        <source>map point {lon:.5f}, {lat:.5f}</source>
        <translation>地图选点 {lon:.5f}, {lat:.5f}</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Sign in — Command Center</source>
        <translation>登录 — 社会治理指挥中心</translation>
    </message>
    <message>
        <source>Command Center</source>
        <translation>社会治理指挥中心</translation>
    </message>
    <message>
        <source>Social governance command centre · please sign in</source>
        <translation>综治中心工作平台 · 请登录</translation>
    </message>
    <message>
        <source>Demo database: pick a user to fill in the name and password.</source>
        <translation>演示数据库：选择一个演示用户，即可自动填入用户名和密码。</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Database: {url}</source>
        <translation>数据库：{url}</translation>
    </message>
    <message>
        <source>Choose a demo user…</source>
        <translation>选择演示用户…</translation>
    </message>
    <message>
        <source>Enter your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Command Center — {unit}</source>
        <translation>社会治理指挥中心 — {unit}</translation>
    </message>
    <message>
        <source>[DRILL] {title}</source>
        <translation>【演练】{title}</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>工单列表</translation>
    </message>
    <message>
        <source>DRILL · this is a drill database: nothing done here counts as real work</source>
        <translation>演练 · 这是演练数据库：此处的一切操作都不计入实际工作</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Edit order…</source>
        <translation>编辑工单…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Open the wall (一屏全域)</source>
        <translation>打开一屏全域大屏</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Intake</source>
        <translation>来电受理</translation>
    </message>
    <message>
        <source>Work queues</source>
        <translation>工作队列</translation>
    </message>
    <message>
        <source>All orders</source>
        <translation>全部工单</translation>
    </message>
    <message>
        <source>Assessment</source>
        <translation>考核评价</translation>
    </message>
    <message>
        <source>Supervision</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Early warning</source>
        <translation>预警研判</translation>
    </message>
    <message>
        <source>Drill console</source>
        <translation>演练导调</translation>
    </message>
    <message>
        <source>{alerts} alerts to acknowledge, {items} feed alerts to confirm</source>
        <translation>待认领预警 {alerts} 条，待确认感知告警 {items} 条</translation>
    </message>
    <message>
        <source>{shown} shown</source>
        <translation>已显示 {shown} 条</translation>
    </message>
    <message>
        <source>{total} orders, {shown} shown</source>
        <translation>共 {total} 条工单，已显示 {shown} 条</translation>
    </message>
</context>
<context>
    <name>MapPicker</name>
    <message>
        <source>Pick the place on the map</source>
        <translation>在地图上选点</translation>
    </message>
    <message>
        <source>Click, or move with the arrows (Shift: finer); Enter takes the point.</source>
        <translation>单击地图，或用方向键移动（按住 Shift 微调）；按回车确认该点。</translation>
    </message>
    <message>
        <source>Use this point</source>
        <translation>使用此点</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>outside every grid</source>
        <translation>不在任何网格内</translation>
    </message>
</context>
<context>
    <name>MarksPanel</name>
    <message>
        <source>A late limit or an unsatisfied visit counts against the unit in the assessment. A supervisor screens unreasonable dissatisfaction (甄别); the unit may appeal (申诉) within the appeal window, and a supervisor decides.</source>
        <translation>超期或回访不满意将计入承办单位的考核。核查督办员可对不合理的不满意进行甄别；承办单位可在申诉期内提出申诉，由核查督办员裁决。</translation>
    </message>
    <message>
        <source>Mark</source>
        <translation>考核标记</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>产生时间</translation>
    </message>
    <message>
        <source>Counts against</source>
        <translation>计入单位</translation>
    </message>
    <message>
        <source>Appeal by</source>
        <translation>申诉截止</translation>
    </message>
    <message>
        <source>Standing</source>
        <translation>当前状态</translation>
    </message>
    <message>
        <source>Nothing counts against a unit on this order.</source>
        <translation>本工单没有计入考核的标记。</translation>
    </message>
    <message>
        <source>Screen…</source>
        <translation>甄别…</translation>
    </message>
    <message>
        <source>Appeal…</source>
        <translation>申诉…</translation>
    </message>
    <message>
        <source>Decide…</source>
        <translation>裁决…</translation>
    </message>
    <message>
        <source>Unsatisfied visit</source>
        <translation>回访不满意</translation>
    </message>
    <message>
        <source>Late acceptance</source>
        <translation>超期签收</translation>
    </message>
    <message>
        <source>Late result</source>
        <translation>超期办结</translation>
    </message>
    <message>
        <source>Screened: {verdict}</source>
        <translation>已甄别：{verdict}</translation>
    </message>
    <message>
        <source>Appealed {when}, awaiting a decision</source>
        <translation>{when} 已申诉，待裁决</translation>
    </message>
    <message>
        <source>Appeal: {decision}</source>
        <translation>申诉：{decision}</translation>
    </message>
    <message>
        <source>Counts against the unit</source>
        <translation>计入考核</translation>
    </message>
    <message>
        <source>Your role may not do this.</source>
        <translation>您的角色无权执行此操作。</translation>
    </message>
    <message>
        <source>Only the order&apos;s centre may do this.</source>
        <translation>仅限工单所属中心操作。</translation>
    </message>
    <message>
        <source>Only an unsatisfied visit is screened.</source>
        <translation>只有回访不满意才需甄别。</translation>
    </message>
    <message>
        <source>This visit has been screened already.</source>
        <translation>该回访已甄别。</translation>
    </message>
    <message>
        <source>This mark has been lifted already.</source>
        <translation>该标记已撤销。</translation>
    </message>
    <message>
        <source>The mark does not count against your unit.</source>
        <translation>该标记不计入您的单位。</translation>
    </message>
    <message>
        <source>This mark has been appealed already: one appeal each.</source>
        <translation>该标记已申诉过：每项仅可申诉一次。</translation>
    </message>
    <message>
        <source>The appeal window is over.</source>
        <translation>申诉期已过。</translation>
    </message>
    <message>
        <source>No appeal awaits a decision.</source>
        <translation>没有待裁决的申诉。</translation>
    </message>
    <message>
        <source>The appeal has been decided already.</source>
        <translation>该申诉已裁决。</translation>
    </message>
</context>
<context>
    <name>MomentDialog</name>
    <message>
        <source>Show the county as it was at …</source>
        <translation>回看某一时刻的全县态势</translation>
    </message>
    <message>
        <source>Yesterday 14:00</source>
        <translation>昨天 14:00</translation>
    </message>
    <message>
        <source>An hour ago</source>
        <translation>一小时前</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>回到实时</translation>
    </message>
    <message>
        <source>Moment (county time):</source>
        <translation>时刻（本县时间）：</translation>
    </message>
    <message>
        <source>That moment is in the future: choose a past one.</source>
        <translation>该时刻尚未到来，请选择过去的时刻。</translation>
    </message>
</context>
<context>
    <name>MoveDialog</name>
    <message>
        <source>Screen dissatisfaction</source>
        <translation>不满意甄别</translation>
    </message>
    <message>
        <source>Appeal a mark</source>
        <translation>申诉考核标记</translation>
    </message>
    <message>
        <source>Decide an appeal</source>
        <translation>裁决申诉</translation>
    </message>
    <message>
        <source>Mark</source>
        <translation>考核标记</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>结论</translation>
    </message>
    <message>
        <source>The unit&apos;s reason</source>
        <translation>申诉理由</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>OrderEditor</name>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新载入</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Undo the last field change (Ctrl+Z)</source>
        <translation>撤销上一次字段修改（Ctrl+Z）</translation>
    </message>
    <message>
        <source>Revert all</source>
        <translation>全部还原</translation>
    </message>
    <message>
        <source>Put back every field as it was read</source>
        <translation>将所有字段恢复为读取时的内容</translation>
    </message>
    <message>
        <source>Save the changed fields (Ctrl+S)</source>
        <translation>保存已修改的字段（Ctrl+S）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Read the order again, keeping your edits (F5)</source>
        <translation>重新读取工单，保留您的修改（F5）</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Order {number}</source>
        <translation>工单 {number}</translation>
    </message>
    <message>
        <source>{state} · handled by {lead} · centre {centre} · version {version}</source>
        <translation>{state} · 承办单位：{lead} · 中心：{centre} · 版本 {version}</translation>
    </message>
    <message>
        <source>Read only: {why}</source>
        <translation>只读：{why}</translation>
    </message>
    <message>
        <source>Someone else has just changed this order. Reload to see their changes; your edits are kept.</source>
        <translation>此工单刚被他人修改。点击“重新载入”查看其修改，您已输入的内容会保留。</translation>
    </message>
    <message>
        <source>Disconnected: saving is not possible now.</source>
        <translation>连接中断：暂时无法保存。</translation>
    </message>
    <message>
        <source>Data confirmed at {time}</source>
        <translation>数据确认于 {time}</translation>
    </message>
    <message>
        <source>The database cannot be reached, so nothing was saved. Your entries are kept in this form: save again when the connection is back.</source>
        <translation>无法连接数据库，未保存任何内容。您输入的内容仍保留在表单中，连接恢复后请再次保存。</translation>
    </message>
    <message>
        <source>Please correct:</source>
        <translation>请更正：</translation>
    </message>
    <message>
        <source>Someone else changed this order first, so nothing was done. It has been reloaded: check it and try again.</source>
        <translation>此工单已被他人先行修改，本次操作未执行。工单已重新载入，请核对后重试。</translation>
    </message>
</context>
<context>
    <name>OrderForm</name>
    <message>
        <source>Anonymous</source>
        <translation>匿名</translation>
    </message>
    <message>
        <source>Confidential (informant hidden)</source>
        <translation>保密（隐藏举报人信息）</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>身份</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Add party</source>
        <translation>添加当事人</translation>
    </message>
    <message>
        <source>Remove party</source>
        <translation>删除当事人</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>来电人</translation>
    </message>
    <message>
        <source>Phone (masked)</source>
        <translation>电话（脱敏）</translation>
    </message>
    <message>
        <source>How added</source>
        <translation>添加方式</translation>
    </message>
    <message>
        <source>Show full number…</source>
        <translation>查看完整号码…</translation>
    </message>
    <message>
        <source>Shows the selected caller&apos;s number; logged</source>
        <translation>显示所选来电人的完整号码；查看将被记录</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>诉求</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>事发地点</translation>
    </message>
    <message>
        <source>Longitude</source>
        <translation>经度</translation>
    </message>
    <message>
        <source>Latitude</source>
        <translation>纬度</translation>
    </message>
    <message>
        <source>Location unit</source>
        <translation>所属区域</translation>
    </message>
    <message>
        <source>Dispute</source>
        <translation>矛盾纠纷</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>办理状态</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>Handling unit</source>
        <translation>承办单位</translation>
    </message>
    <message>
        <source>Tier (planned)</source>
        <translation>层级（预定）</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>所属中心</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>结案时间</translation>
    </message>
    <message>
        <source>Returns / reworks / reopens</source>
        <translation>退回 / 返工 / 重办次数</translation>
    </message>
    <message>
        <source>Escalations / supervisions / extensions</source>
        <translation>上报 / 督办 / 延期次数</translation>
    </message>
    <message>
        <source>Return visit (attempts)</source>
        <translation>回访（次数）</translation>
    </message>
    <message>
        <source>Request awaiting decision</source>
        <translation>待审批申请</translation>
    </message>
    <message>
        <source>Answer on the spot</source>
        <translation>直接答复</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>办理结果</translation>
    </message>
    <message>
        <source>Merged, transferred or voided</source>
        <translation>归并、转出或作废</translation>
    </message>
    <message>
        <source>Last change</source>
        <translation>最后修改</translation>
    </message>
    <message>
        <source>Hidden: confidential order</source>
        <translation>已隐藏：保密工单</translation>
    </message>
    <message>
        <source>First caller</source>
        <translation>首位来电人</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>追加</translation>
    </message>
    <message>
        <source>From a merged order</source>
        <translation>来自归并工单</translation>
    </message>
    <message>
        <source>Shown on request; the read was logged</source>
        <translation>按申请显示；查看已记录</translation>
    </message>
    <message>
        <source>Revert all</source>
        <translation>全部还原</translation>
    </message>
</context>
<context>
    <name>OrderTableModel</name>
    <message>
        <source>Overdue</source>
        <translation>已超期</translation>
    </message>
    <message>
        <source>Deadline near</source>
        <translation>临近时限</translation>
    </message>
    <message>
        <source>Order no.</source>
        <translation>工单编号</translation>
    </message>
    <message>
        <source>Registered at</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Request type</source>
        <translation>诉求类型</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>来电人</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Lead unit</source>
        <translation>承办单位</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>办结时限</translation>
    </message>
    <message>
        <source>Confidential</source>
        <translation>保密</translation>
    </message>
</context>
<context>
    <name>OrderTabs</name>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Assisting units&apos; answers</source>
        <translation>协办单位答复</translation>
    </message>
    <message>
        <source>Assignments</source>
        <translation>派单流转</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>办理过程</translation>
    </message>
    <message>
        <source>Double-click an image to see it larger.</source>
        <translation>双击图片可查看大图。</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>Marks</source>
        <translation>考核标记</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>Time left</source>
        <translation>剩余时限</translation>
    </message>
    <message>
        <source>Order no.</source>
        <translation>工单编号</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Held by</source>
        <translation>承办单位</translation>
    </message>
    <message>
        <source>Marks</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>Result submitted</source>
        <translation>办理结果</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>来电人</translation>
    </message>
    <message>
        <source>No open time limit</source>
        <translation>无进行中的时限</translation>
    </message>
    <message>
        <source>{state}; due {time}</source>
        <translation>{state}；时限 {time}</translation>
    </message>
    <message>
        <source>{d} d {h} h</source>
        <translation>{d} 天 {h} 小时</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} 分钟</translation>
    </message>
    <message>
        <source>Overdue {span}</source>
        <translation>已超期 {span}</translation>
    </message>
    <message>
        <source>Due soon: {span}</source>
        <translation>临期：剩余 {span}</translation>
    </message>
    <message>
        <source>{span} left</source>
        <translation>剩余 {span}</translation>
    </message>
    <message>
        <source>No deadline</source>
        <translation>无时限</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>临期</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已超期</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>挂账·缓办</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>中心</translation>
    </message>
    <message>
        <source>Assisting</source>
        <translation>协办</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>退回</translation>
    </message>
    <message>
        <source>Rework</source>
        <translation>返工</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Supervised</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Pause asked</source>
        <translation>申请缓办</translation>
    </message>
    <message>
        <source>Extension asked</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <source>Called {n}×</source>
        <translation>已回访 {n} 次</translation>
    </message>
    <message>
        <source>Confidential</source>
        <translation>保密</translation>
    </message>
</context>
<context>
    <name>QueuesPage</name>
    <message>
        <source>Search number, title, address or caller (Ctrl+F)</source>
        <translation>搜索编号、标题、地址或来电人（Ctrl+F）</translation>
    </message>
    <message>
        <source>Nothing waiting here.</source>
        <translation>当前没有待办工单。</translation>
    </message>
    <message>
        <source>Open order</source>
        <translation>打开工单</translation>
    </message>
    <message>
        <source>Pass selected</source>
        <translation>批量核查通过</translation>
    </message>
    <message>
        <source>Call back</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>The list is being refreshed: one moment.</source>
        <translation>列表正在刷新，请稍候。</translation>
    </message>
    <message>
        <source>No order matches the filter.</source>
        <translation>没有符合筛选条件的工单。</translation>
    </message>
    <message>
        <source>{total} orders: {warning} due soon, {overdue} overdue</source>
        <translation>共 {total} 条工单：临期 {warning} 条，超期 {overdue} 条</translation>
    </message>
    <message>
        <source>All {n}</source>
        <translation>全部 {n}</translation>
    </message>
    <message>
        <source>Due soon {n}</source>
        <translation>临期 {n}</translation>
    </message>
    <message>
        <source>Overdue {n}</source>
        <translation>超期 {n}</translation>
    </message>
    <message>
        <source>{shown} shown</source>
        <translation>已显示 {shown} 条</translation>
    </message>
</context>
<context>
    <name>QuickVisit</name>
    <message>
        <source>Call back… (Ctrl+Shift+V)</source>
        <translation>回访…（Ctrl+Shift+V）</translation>
    </message>
    <message>
        <source>The return visit of the selected order: its number, the outcome, a note</source>
        <translation>回访所选工单：显示号码，记录结果和说明</translation>
    </message>
    <message>
        <source>{number}: not recorded ({why})</source>
        <translation>{number}：未记录（{why}）</translation>
    </message>
    <message>
        <source>{number}: visit recorded ({outcome})</source>
        <translation>{number}：已记录回访（{outcome}）</translation>
    </message>
</context>
<context>
    <name>RankingPanel</name>
    <message>
        <source>Unit ranking</source>
        <translation>单位排名</translation>
    </message>
    <message>
        <source>Top five</source>
        <translation>前五</translation>
    </message>
    <message>
        <source>Bottom five</source>
        <translation>后五</translation>
    </message>
    <message>
        <source>No scores yet</source>
        <translation>暂无评分</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <source>Show the full number</source>
        <translation>查看完整号码</translation>
    </message>
    <message>
        <source>Every look at a full number is logged. Why do you need it?</source>
        <translation>每次查看完整号码都会被记录。请说明查看原因：</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>RequestModel</name>
    <message>
        <source>Request</source>
        <translation>申请</translation>
    </message>
    <message>
        <source>Order no.</source>
        <translation>工单编号</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Days asked</source>
        <translation>申请天数</translation>
    </message>
    <message>
        <source>Asked</source>
        <translation>申请时间</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>挂账</translation>
    </message>
    <message>
        <source>Extension</source>
        <translation>延期</translation>
    </message>
    <message>
        <source>{time} (overdue)</source>
        <translation>{time}（已超期）</translation>
    </message>
</context>
<context>
    <name>RequestsTab</name>
    <message>
        <source>&amp;Approve…</source>
        <translation>同意(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Deny…</source>
        <translation>不同意(&amp;D)…</translation>
    </message>
    <message>
        <source>Open &amp;order</source>
        <translation>打开工单(&amp;O)</translation>
    </message>
</context>
<context>
    <name>SafetyModel</name>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Town</source>
        <translation>乡镇</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Weight {weight:g}</source>
        <translation>权重 {weight:g}</translation>
    </message>
</context>
<context>
    <name>SafetyPanel</name>
    <message>
        <source>The safety index is shown when grouped by grid or town.</source>
        <translation>按网格或乡镇分组时显示平安指数。</translation>
    </message>
</context>
<context>
    <name>ScriptModel</name>
    <message>
        <source>At</source>
        <translation>时刻</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Expected</source>
        <translation>预期处置</translation>
    </message>
    <message>
        <source>Fired</source>
        <translation>注入时间</translation>
    </message>
    <message>
        <source>Handling</source>
        <translation>处置情况</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>By</source>
        <translation>处置人</translation>
    </message>
    <message>
        <source>To</source>
        <translation>派往</translation>
    </message>
    <message>
        <source>Took</source>
        <translation>用时</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>分派</translation>
    </message>
    <message>
        <source>Missed by: {names}</source>
        <translation>漏办归属：{names}</translation>
    </message>
    <message>
        <source>✓ right</source>
        <translation>✓ 正确</translation>
    </message>
    <message>
        <source>✗ wrong</source>
        <translation>✗ 错误</translation>
    </message>
</context>
<context>
    <name>ShareBars</name>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>No open orders</source>
        <translation>暂无在办工单</translation>
    </message>
    <message>
        <source>Open orders by category</source>
        <translation>类别分布</translation>
    </message>
    <message>
        <source>Disputes by risk grade</source>
        <translation>矛盾纠纷风险等级</translation>
    </message>
</context>
<context>
    <name>StaleSaveDialog</name>
    <message>
        <source>Someone saved this order first</source>
        <translation>此工单已被他人先行保存</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>诉求内容</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <source>Your changes were not saved: the order was changed after you opened it. Reload to take the current version; your own edits stay in the form, and you can then save again.</source>
        <translation>您的修改未保存：在您打开此工单之后，它已被他人修改。重新载入以获取当前版本；您自己的修改会保留在表单中，之后可再次保存。</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>When you opened it</source>
        <translation>您打开时</translation>
    </message>
    <message>
        <source>Your edit</source>
        <translation>您的修改</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>当前值</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>修改内容</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Reload and keep my edits</source>
        <translation>重新载入并保留我的修改</translation>
    </message>
    <message>
        <source>Back to the form</source>
        <translation>返回表单</translation>
    </message>
    <message>
        <source>Fields</source>
        <translation>字段对比</translation>
    </message>
    <message>
        <source>Changes since you opened it</source>
        <translation>您打开之后的变更</translation>
    </message>
</context>
<context>
    <name>SuggestionPanel</name>
    <message>
        <source>Dispatch to</source>
        <translation>推荐派往</translation>
    </message>
    <message>
        <source>Pick a category (and the address) to see where it should go.</source>
        <translation>选择类别（及地址）后，此处显示推荐的承办单位。</translation>
    </message>
    <message>
        <source>&lt;b&gt;{unit}&lt;/b&gt; — {why}</source>
        <translation>&lt;b&gt;{unit}&lt;/b&gt; — {why}</translation>
    </message>
</context>
<context>
    <name>SupervisionPage</name>
    <message>
        <source>Supervision</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Due soon and overdue</source>
        <translation>临期与超期</translation>
    </message>
    <message>
        <source>Approvals</source>
        <translation>审批</translation>
    </message>
    <message>
        <source>Appeals</source>
        <translation>申诉</translation>
    </message>
    <message>
        <source>The escalation rule (resources/supervision.toml) is invalid; the built-in defaults are used until it is fixed: {errors}</source>
        <translation>督办规则文件（resources/supervision.toml）有误，修正前使用内置默认规则：{errors}</translation>
    </message>
    <message>
        <source>Open order</source>
        <translation>打开工单</translation>
    </message>
    <message>
        <source>{overdue} overdue and {warning} due soon in {units} units · as of {time}</source>
        <translation>超期 {overdue} 件、临期 {warning} 件，涉及 {units} 个单位 · 截至 {time}</translation>
    </message>
    <message>
        <source>Approvals {n}</source>
        <translation>审批 {n}</translation>
    </message>
    <message>
        <source>Due soon and overdue {n}</source>
        <translation>临期与超期 {n}</translation>
    </message>
    <message>
        <source>No unit has orders due soon or overdue.</source>
        <translation>没有单位存在临期或超期工单。</translation>
    </message>
    <message>
        <source> (scroll for more)</source>
        <translation>（滚动查看更多）</translation>
    </message>
    <message>
        <source>{unit}: {n} orders shown{more}. Select several to notice them at once.</source>
        <translation>{unit}：已显示 {n} 件{more}。可多选后一并督办。</translation>
    </message>
    <message>
        <source>Select an order first.</source>
        <translation>请先选择工单。</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <source>No notice is suggested for the selected orders.</source>
        <translation>所选工单暂无督办建议。</translation>
    </message>
    <message>
        <source>Select a request first.</source>
        <translation>请先选择申请。</translation>
    </message>
    <message>
        <source>The extension limit has been reached: only a denial is possible.</source>
        <translation>已达延期上限，只能不同意。</translation>
    </message>
    <message>
        <source>{level} on {n} orders: {numbers}</source>
        <translation>{level}：{n} 件工单：{numbers}</translation>
    </message>
    <message>
        <source>Issue the suggested notice on {n} orders ({yellow} yellow, {red} red, {escalate} escalated to the unit above): {numbers}</source>
        <translation>按建议对 {n} 件工单督办（黄牌 {yellow}、红牌 {red}、提级至上级单位 {escalate}）：{numbers}</translation>
    </message>
    <message>
        <source>The order is past or near its time limit: handle it and report back.</source>
        <translation>该工单已超期或临期，请抓紧办理并反馈。</translation>
    </message>
    <message>
        <source>Apply the suggestion</source>
        <translation>采纳建议</translation>
    </message>
    <message>
        <source>Issue</source>
        <translation>发出</translation>
    </message>
    <message>
        <source>What the unit must do, and by when</source>
        <translation>承办单位须做什么、何时完成</translation>
    </message>
    <message>
        <source>{n} notices issued.</source>
        <translation>已发出 {n} 份督办。</translation>
    </message>
    <message>
        <source>Refused: {list}</source>
        <translation>未通过：{list}</translation>
    </message>
    <message>
        <source>pause</source>
        <translation>挂账</translation>
    </message>
    <message>
        <source>extension</source>
        <translation>延期</translation>
    </message>
    <message>
        <source>Approve the {kind} of {number}?</source>
        <translation>同意该{kind}申请（{number}）？</translation>
    </message>
    <message>
        <source>Deny the {kind} of {number}?</source>
        <translation>不同意该{kind}申请（{number}）？</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>同意</translation>
    </message>
    <message>
        <source>Deny</source>
        <translation>不同意</translation>
    </message>
    <message>
        <source>A note for the unit (optional)</source>
        <translation>给承办单位的说明（可选）</translation>
    </message>
    <message>
        <source>{n} approved.</source>
        <translation>已同意 {n} 件。</translation>
    </message>
    <message>
        <source>{n} denied.</source>
        <translation>已不同意 {n} 件。</translation>
    </message>
    <message>
        <source>Appeals {n}</source>
        <translation>申诉 {n}</translation>
    </message>
</context>
<context>
    <name>TextDialog</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Write the text first.</source>
        <translation>请先填写内容。</translation>
    </message>
</context>
<context>
    <name>Ticker</name>
    <message>
        <source>Live</source>
        <translation>实时动态</translation>
    </message>
    <message>
        <source>No recent events</source>
        <translation>暂无新动态</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>受理</translation>
    </message>
    <message>
        <source>Answered on the spot</source>
        <translation>即时办结</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>派单</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>退回</translation>
    </message>
    <message>
        <source>Passed down</source>
        <translation>下派</translation>
    </message>
    <message>
        <source>Reassigned</source>
        <translation>改派</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>挂账</translation>
    </message>
    <message>
        <source>Resumed</source>
        <translation>恢复办理</translation>
    </message>
    <message>
        <source>Extended</source>
        <translation>延期</translation>
    </message>
    <message>
        <source>Result submitted</source>
        <translation>办结上报</translation>
    </message>
    <message>
        <source>Review passed</source>
        <translation>核查通过</translation>
    </message>
    <message>
        <source>Sent back for rework</source>
        <translation>返工</translation>
    </message>
    <message>
        <source>Return visit</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>Reopened</source>
        <translation>重办</translation>
    </message>
    <message>
        <source>Merged</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>Transferred out</source>
        <translation>转出</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Supervised</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>临期</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>更新</translation>
    </message>
</context>
<context>
    <name>TimelineView</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Assignment</source>
        <translation>派单环节</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>At the source: {time} ({type})</source>
        <translation>来源平台时间：{time}（{type}）</translation>
    </message>
    <message>
        <source>{days} days</source>
        <translation>{days} 天</translation>
    </message>
    <message>
        <source>To: {place}</source>
        <translation>转往：{place}</translation>
    </message>
    <message>
        <source>Into order {number}</source>
        <translation>归并至工单 {number}</translation>
    </message>
    <message>
        <source>From order {number}</source>
        <translation>来自工单 {number}</translation>
    </message>
    <message>
        <source>Reason: {reason}</source>
        <translation>理由：{reason}</translation>
    </message>
    <message>
        <source>Mark: unsatisfied visit</source>
        <translation>标记：回访不满意</translation>
    </message>
    <message>
        <source>Mark: late acceptance</source>
        <translation>标记：超期签收</translation>
    </message>
    <message>
        <source>Mark: late result</source>
        <translation>标记：超期办结</translation>
    </message>
    <message>
        <source>{field} changed</source>
        <translation>{field}已修改</translation>
    </message>
</context>
<context>
    <name>TraineeModel</name>
    <message>
        <source>Trainee</source>
        <translation>学员</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>派单数</translation>
    </message>
    <message>
        <source>Time to dispatch (median)</source>
        <translation>派单用时(中位)</translation>
    </message>
    <message>
        <source>Longest</source>
        <translation>最长</translation>
    </message>
    <message>
        <source>Time limits met</source>
        <translation>时限达标</translation>
    </message>
    <message>
        <source>Alerts acknowledged</source>
        <translation>预警认领</translation>
    </message>
    <message>
        <source>Feed alerts right</source>
        <translation>告警处置正确</translation>
    </message>
    <message>
        <source>Routing right</source>
        <translation>分派正确</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>漏办</translation>
    </message>
    <message>
        <source>not scored</source>
        <translation>不计分</translation>
    </message>
</context>
<context>
    <name>TrendChart</name>
    <message>
        <source>Intake, last 24 hours</source>
        <translation>24小时受理趋势</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Same day last week</source>
        <translation>上周同日</translation>
    </message>
    <message>
        <source>{hour}:00</source>
        <translation>{hour}时</translation>
    </message>
</context>
<context>
    <name>UnitModel</name>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>临期</translation>
    </message>
    <message>
        <source>Notices</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>{unit}: {overdue} overdue, {warning} due soon; {notices} notices on them</source>
        <translation>{unit}：超期 {overdue} 件、临期 {warning} 件；已督办 {notices} 次</translation>
    </message>
</context>
<context>
    <name>VisitDialog</name>
    <message>
        <source>Return visit: {number}</source>
        <translation>回访：{number}</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>来电人</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>（未留姓名）</translation>
    </message>
    <message>
        <source>No number on record</source>
        <translation>未留电话</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Reading the full number for this visit (logged)…</source>
        <translation>正在读取完整号码用于回访（将记录日志）…</translation>
    </message>
    <message>
        <source>Attempts so far</source>
        <translation>已回访次数</translation>
    </message>
    <message>
        <source>{n} of at most {max}</source>
        <translation>{n} 次（最多 {max} 次）</translation>
    </message>
    <message>
        <source>Handler&apos;s result</source>
        <translation>办理结果</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>回访结果</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Record visit</source>
        <translation>记录回访</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Choose the outcome of the call (Alt+1 to Alt+4).</source>
        <translation>请选择回访结果（Alt+1 至 Alt+4）。</translation>
    </message>
    <message>
        <source>The order closes.</source>
        <translation>工单将结案。</translation>
    </message>
    <message>
        <source>The order is reopened (重办) and goes back to the centre to dispatch.</source>
        <translation>工单将重办，退回中心重新派单。</translation>
    </message>
    <message>
        <source>The order closes with your note, which is required.</source>
        <translation>工单将结案，须填写说明。</translation>
    </message>
    <message>
        <source>Attempt {n} of {max}: the order closes as unreachable.</source>
        <translation>第 {n} 次（最多 {max} 次）：工单将以联系不上结案。</translation>
    </message>
    <message>
        <source>Attempt {n} of {max}: the order waits for another call.</source>
        <translation>第 {n} 次（最多 {max} 次）：工单等待再次回访。</translation>
    </message>
    <message>
        <source>Full number read for this visit; the read is logged.</source>
        <translation>已读取完整号码用于回访，读取已记录。</translation>
    </message>
</context>
<context>
    <name>WallMap</name>
    <message>
        <source>Grid load</source>
        <translation>网格负荷</translation>
    </message>
    <message>
        <source>Open orders</source>
        <translation>在办工单</translation>
    </message>
    <message>
        <source>Overdue orders</source>
        <translation>超期工单</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新受理</translation>
    </message>
</context>
<context>
    <name>WallWindow</name>
    <message>
        <source>Command Center wall</source>
        <translation>社会治理指挥中心 · 一屏全域</translation>
    </message>
    <message>
        <source>DRILL · these figures are a drill&apos;s, not the county&apos;s</source>
        <translation>演练 · 本屏为演练数据，不是全县实际数据</translation>
    </message>
    <message>
        <source>As of</source>
        <translation>回看</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时动态</translation>
    </message>
    <message>
        <source>AS OF {moment} · not live · press L to return to live</source>
        <translation>回看 {moment} · 非实时 · 按 L 回到实时</translation>
    </message>
    <message>
        <source>The figures could not be read: {why}</source>
        <translation>无法读取数据：{why}</translation>
    </message>
    <message>
        <source>county</source>
        <translation>全县</translation>
    </message>
    <message>
        <source>❚❚ paused</source>
        <translation>❚❚ 已暂停轮播</translation>
    </message>
    <message>
        <source>◆ as of {moment}</source>
        <translation>◆ 回看 {moment}</translation>
    </message>
    <message>
        <source>▲ stale: last confirmed {time}</source>
        <translation>▲ 数据滞后：最后确认 {time}</translation>
    </message>
    <message>
        <source>● live {time}</source>
        <translation>● 实时 {time}</translation>
    </message>
</context>
</TS>
