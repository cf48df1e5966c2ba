<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
        <source>The request was refused ({code}).</source>
        <translation>操作被拒绝（{code}）。</translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation>发生意外错误：{error}</translation>
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
        <source>Orders</source>
        <translation>工单列表</translation>
    </message>
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
        <source>{shown} shown</source>
        <translation>已显示 {shown} 条</translation>
    </message>
    <message>
        <source>{total} orders, {shown} shown</source>
        <translation>共 {total} 条工单，已显示 {shown} 条</translation>
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
    <name>OrderEditor</name>
    <message>
        <source>Edit order</source>
        <translation>编辑工单</translation>
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
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新载入</translation>
    </message>
    <message>
        <source>Edit order {number}</source>
        <translation>编辑工单 {number}</translation>
    </message>
    <message>
        <source>{name} has been editing this order since {time} (workstation {ws}). You can still edit it; whoever saves second will be asked to reload.</source>
        <translation>{name} 自 {time} 起正在编辑此工单（工作站 {ws}）。你仍可编辑；后保存的一方将被提示重新载入。</translation>
    </message>
    <message>
        <source>Someone else has just changed this order. Reload to see their changes; your edits are kept.</source>
        <translation>此工单刚被他人修改。点击“重新载入”查看其修改，你已输入的内容会保留。</translation>
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
        <translation>无法连接数据库，未保存任何内容。你输入的内容仍保留在表单中，连接恢复后请再次保存。</translation>
    </message>
    <message>
        <source>Please correct:</source>
        <translation>请更正：</translation>
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
        <translation>你的修改未保存：在你打开此工单之后，它已被他人修改。重新载入以获取当前版本；你自己的修改会保留在表单中，之后可再次保存。</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>When you opened it</source>
        <translation>你打开时</translation>
    </message>
    <message>
        <source>Your edit</source>
        <translation>你的修改</translation>
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
        <translation>你打开之后的变更</translation>
    </message>
</context>
</TS>
