using PosMonitor.Core.Incidents;
using R = PosMonitor.Web.Features.Runbooks.RunbookRoles;

namespace PosMonitor.Web.Features.Runbooks;

/// <summary>
/// Version 1 of the default runbook of each cause (Causes.DefaultRunbookId), written from the
/// remedies of the source article (in our words: src/PosMonitor.Web/Features/Runbooks/what-the-runbooks-draw-on.md) and
/// the first moves of src/PosMonitor.Core/Detection/timeout-causes.md. Contacts are role mailboxes to be replaced by each
/// operator in the editor; everything else is meant to be usable as it stands.
/// </summary>
public static class DefaultRunbooks
{
    // Declared before All: static fields initialise in textual order.
    private static readonly LocalizedText Template = new(
        """
        Dear {merchant}: since {openedAt} some payments on your terminals {terminals} may fail with "System timeout".
        Cause: {cause}. Status: {status}.
        What you can do now: {workaround}
        Do not repeat a timed-out sale until the customer's bank app or receipt confirms it failed: this avoids double charges.
        We will post an update here whenever it changes, and tell you as soon as it is resolved. Reference: {incident}.
        """.Trim(),
        """
        尊敬的{merchant}：自 {openedAt} 起，您的终端 {terminals} 部分收款可能提示"系统超时"。
        原因：{cause}。当前状态：{status}。
        您现在可以：{workaround}
        超时的交易请先通过顾客的银行 App 或签购单确认失败后再重新收款，以免重复扣款。
        情况有变化时我们会在此更新，问题解决后会第一时间通知您。事件编号：{incident}。
        """.Trim());

    public static IReadOnlyList<RunbookDraft> All { get; } =
    [
        Network(), Server(), Gateway(), Software(), Hardware(), ThirdParty(), Operator(),
    ];

    private static RunbookStep Step(string titleEn, string titleZh, string role, int minutes, string en, string zh) =>
        new(new LocalizedText(titleEn, titleZh), new LocalizedText(en.Trim(), zh.Trim()), role, minutes);

    private static EscalationContact[] Contacts(string team, string teamZh, string chat) =>
    [
        new($"{team} on-call / {teamZh}值班", R.NocEngineer, ContactChannel.ChatWebhook, chat, 1),
        new("Support duty lead / 客服值班主管", R.SupportAgent, ContactChannel.Email, "support-lead@acquirer.example", 1),
        new("Operations duty manager / 运营值班经理", R.DutyManager, ContactChannel.Phone, "+86 21 5555 0100", 2),
        new("Head of payments operations / 支付运营负责人", R.DutyManager, ContactChannel.Email, "payments-ops-head@acquirer.example", 3),
    ];

    private static RunbookDraft Network() => new()
    {
        Id = Causes.DefaultRunbookId(Cause.Network),
        Cause = Cause.Network,
        Severity = Severity.Major,
        Title = new("Network outage or degraded connectivity", "网络中断或网络质量下降"),
        Contacts = Contacts("Network", "网络", "https://oapi.dingtalk.com/robot/send?access_token=REPLACE-network-oncall"),
        Workaround = new(
            "switch the terminal to its backup link (4G SIM or the shop's second Wi-Fi), or take cash / QR payments for now.",
            "将终端切换到备用网络（4G 卡或店内第二个 Wi-Fi)，或暂时改用现金 / 扫码收款。"),
        MerchantTemplate = Template,
        Steps =
        [
            Step("Confirm the scope from telemetry", "根据遥测确认影响范围", R.SupportAgent, 5,
                """
                Open the incident and read its **evidence**: timeouts at the connect or send stage, heartbeats with high latency,
                packet loss or a weak signal, or terminals that stopped sending heartbeats.
                - One terminal or one store: continue with the site checks below.
                - Many merchants in one **region**: a carrier/ISP problem — go straight to step 3.
                Compare with the heatmap on the operations page: neighbouring regions should look normal.
                """,
                """
                打开事件，查看**证据**：连接或发送阶段超时、心跳中延迟或丢包偏高、信号弱，或终端已停止发送心跳。
                - 只有一台终端或一家门店：继续下面的现场检查。
                - 同一**地区**内大量商户：属于运营商/ISP 故障，直接进行第 3 步。
                对照运营总览页的热力图：相邻地区应当正常。
                """),
            Step("Check the site's network with the merchant", "与商户一起检查门店网络", R.SupportAgent, 10,
                """
                Call the store (number on the merchant record) and walk through:
                1. Is the router/modem powered and are its lights normal? Restart it once.
                2. Do other devices in the shop reach the internet?
                3. Is the terminal on Wi-Fi far from the access point, or on a SIM with no signal (terminal page: Network, Signal)?
                4. Has anything changed today (new router, broadband contract, construction work)?
                """,
                """
                致电门店（电话见商户资料），逐项确认：
                1. 路由器/光猫是否通电、指示灯是否正常?重启一次。
                2. 店内其他设备能否上网?
                3. 终端是否离无线接入点太远，或使用的 SIM 卡没有信号（终端页：网络、信号）？
                4. 今天是否有变动（更换路由器、宽带合同到期、装修施工）?
                """),
            Step("Switch to the backup link", "切换到备用网络", R.SupportAgent, 10,
                """
                Guide the cashier to the terminal's network settings and switch to the **backup link**: the built-in 4G SIM, or a second Wi-Fi.
                If the whole region is affected, ask merchants to switch at once and accept **cash or QR codes** meanwhile.
                Watch the incident's chart: the timeout rate should fall within 2–3 minutes of the switch, and the terminals' offline queue should drain.
                """,
                """
                指导收银员进入终端网络设置，切换到**备用网络**：内置 4G 卡或第二个 Wi-Fi。
                若整个地区受影响，请商户立即切换，期间改收**现金或扫码**。
                观察事件页的超时率曲线：切换后 2–3 分钟内应明显下降，终端的离线积压应逐步清空。
                """),
            Step("Open a ticket with the carrier or ISP", "向运营商 / ISP 报障", R.NocEngineer, 15,
                """
                For a regional pattern, open a fault ticket with the carrier (mobile) or the ISP (broadband) serving that region.
                Give them: region, first failure time (when the incident opened), affected terminal count, sample terminal ids and their last heartbeat.
                From the NOC, confirm independently: `mtr -rwc 50 <acquirer-host>` from a probe in that region.
                Record the carrier's ticket number as a note in the incident timeline.
                """,
                """
                若呈地区性分布，向该地区的移动运营商或宽带 ISP 提交故障工单。
                提供：地区、首次故障时间（事件开启时间）、受影响终端数、若干终端编号及其最后心跳时间。
                NOC 同时自行验证：在该地区的探针上执行 `mtr -rwc 50 <收单主机>`。
                把运营商工单号作为备注记录到事件时间线。
                """),
            Step("Confirm recovery and close", "确认恢复并关闭", R.SupportAgent, 15,
                """
                Resolve only when heartbeats have returned for the affected terminals and the timeout rate has stayed at its normal level for 15 minutes.
                Ask one or two affected merchants to run a small test sale. In the review, note whether the site needs a permanent backup link
                (the article: add a backup network, check network equipment regularly).
                """,
                """
                受影响终端的心跳全部恢复，且超时率保持正常水平 15 分钟后再解决事件。
                请一两家受影响商户做一笔小额测试交易。复盘时记录该门店是否需要长期备用网络（原文：引入备用网络、定期检查网络设备）。
                """),
        ],
    };

    private static RunbookDraft Server() => new()
    {
        Id = Causes.DefaultRunbookId(Cause.Server),
        Cause = Cause.Server,
        Severity = Severity.Critical,
        Title = new("Platform slowdown (host responses delayed)", "平台服务器响应延迟"),
        Contacts = Contacts("Platform", "平台", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=REPLACE-platform-oncall"),
        Workaround = new(
            "wait a minute between retries, and take cash or QR payments for urgent sales; do not restart the terminal.",
            "重试之间请间隔一分钟，紧急交易可改收现金或扫码；无需重启终端。"),
        MerchantTemplate = Template,
        Steps =
        [
            Step("Page the platform on-call", "呼叫平台值班工程师", R.SupportAgent, 5,
                """
                A platform incident means timeouts and slow responses at the platform host stage across many merchants, regions and gateways at once.
                Page the platform on-call **now** (escalation level 1) with the incident link; do not wait for more evidence.
                """,
                """
                平台类事件表示多个商户、地区和网关同时在平台主机阶段出现超时且响应时间偏长。
                **立即**呼叫平台值班工程师（一级升级），附上事件链接，不要等待更多证据。
                """),
            Step("Find the bottleneck", "定位瓶颈", R.PlatformOnCall, 15,
                """
                Check the transaction hosts in this order: CPU and memory, database connection pool and slow queries, queue depth, recent deployments.
                Typical commands: `top -H`, `vmstat 1 5`, the database's active sessions view, the deployment log of the last 2 hours.
                If a deployment coincides with the incident start, roll it back first and investigate after.
                """,
                """
                按顺序检查交易主机：CPU 与内存、数据库连接池与慢查询、队列积压、最近的发布。
                常用命令：`top -H`、`vmstat 1 5`、数据库活动会话视图、最近 2 小时的发布记录。
                如果某次发布与事件开始时间吻合，先回滚，再排查。
                """),
            Step("Shed load or scale out", "限流或扩容", R.PlatformOnCall, 20,
                """
                Add capacity (scale out the host pool behind the load balancer) or shed non-payment load: pause batch settlement,
                reports and reconciliation jobs until the platform host's response time is back under its baseline (the article: load balancing, sensible capacity planning).
                """,
                """
                增加容量（在负载均衡后扩容主机池）或削减非支付负载：暂停批量结算、报表和对账任务，直到平台主机的响应时间回落到基线以下（原文：负载均衡、合理的资源规划）。
                """),
            Step("Post a status notice to merchants", "向商户发布状态通知", R.MerchantSuccess, 10,
                """
                The merchant message of this runbook is posted to every affected merchant's portal when the incident opens.
                For a platform-wide incident also post on the public status page and brief the call centre with the same text, so
                merchants hear one story. Update both every 30 minutes until resolved.
                """,
                """
                事件开启时，本预案的商户通知会自动发布到每个受影响商户的门户。
                对于全平台事件，还需在公开状态页发布，并用同样的文字向呼叫中心通报，确保商户听到一致的说法。之后每 30 分钟更新一次，直至解决。
                """),
            Step("Confirm recovery and plan the fix", "确认恢复并规划根治", R.DutyManager, 30,
                """
                Resolve when platform host timeouts are back to normal for 15 minutes. In the review record the capacity figures at peak and the
                follow-ups: hardware upgrade, configuration or code optimisation, regular maintenance windows.
                """,
                """
                平台主机阶段超时恢复正常并持续 15 分钟后解决事件。复盘时记录峰值时的容量数据及后续措施：硬件升级、配置或代码优化、定期维护窗口。
                """),
        ],
    };

    private static RunbookDraft Gateway() => new()
    {
        Id = Causes.DefaultRunbookId(Cause.Gateway),
        Cause = Cause.Gateway,
        Severity = Severity.Critical,
        Title = new("Payment gateway degradation", "支付网关故障或响应缓慢"),
        Contacts = Contacts("Gateway liaison", "网关对接", "https://hooks.slack.com/services/REPLACE/gateway-liaison"),
        Workaround = new(
            "tell customers that {provider} payments are failing right now and ask them to pay another way (another wallet, a bank card or cash); payments through other providers work.",
            "请告知顾客目前 {provider} 支付无法正常使用，请改用其他方式（其他钱包、银行卡或现金）；其他支付渠道不受影响。"),
        MerchantTemplate = Template,
        Steps =
        [
            Step("Confirm it is one gateway", "确认只涉及一个网关", R.SupportAgent, 5,
                """
                The evidence should show timeouts and slow responses at the gateway stage on **one** gateway, while terminals on other
                gateways in the same regions are fine. If several gateways fail together, treat it as a platform incident (runbook "Platform slowdown").
                """,
                """
                证据应显示**某一个**网关在网关阶段出现超时且响应时间偏长，而同一地区使用其他网关的终端正常。
                如果多个网关同时故障，请按平台事件处理（预案“平台服务器响应延迟”）。
                """),
            Step("Contact the gateway provider", "联系网关服务商", R.GatewayLiaison, 10,
                """
                Call the provider's 24×7 operations line and open a P1 ticket. Give: gateway id, first failure time, timeout rate at peak,
                sample transaction ids and timestamps. Ask for their incident number and an estimated time to recovery, and write both in a note.
                Check their status page meanwhile.
                """,
                """
                拨打服务商 7×24 运维热线并提交 P1 工单。提供：网关编号、首次故障时间、峰值超时率、若干交易编号及时间戳。
                索取对方事件编号和预计恢复时间，并记录在备注中。同时关注对方状态页。
                """),
            Step("Fail over where contracts allow", "在合同允许时切换备用网关", R.PlatformOnCall, 15,
                """
                If the merchants' contracts allow a second gateway, switch routing for the affected BINs/merchants in the routing console,
                starting with the merchants with the most failed sales (business impact on the incident page). Watch the chart: the
                timeout rate of the moved merchants should fall within minutes. Note every routing change in the timeline so it can be undone.
                """,
                """
                如商户合同允许使用第二网关，在路由控制台将受影响的卡 BIN / 商户切换路由，优先处理失败交易最多的商户（见事件页业务影响）。
                观察曲线：已切换商户的超时率应在几分钟内下降。每一次路由变更都要记入时间线，便于回切。
                """),
            Step("Tell merchants and the call centre", "通知商户和呼叫中心", R.MerchantSuccess, 10,
                """
                The merchant message goes to the affected merchants' portal automatically. Brief the call centre: timed-out sales must be
                checked before repeating them (risk of double charge); reversals are handled by the gateway after recovery.
                """,
                """
                商户通知会自动发布到受影响商户的门户。向呼叫中心通报：超时交易须先核实再重新收款（存在重复扣款风险）；恢复后由网关处理冲正。
                """),
            Step("Recover, switch back and reconcile", "恢复、回切并对账", R.GatewayLiaison, 30,
                """
                After the provider confirms recovery and the rate has been normal for 15 minutes, switch routing back, resolve the incident,
                and ask the provider for their root-cause report within 5 working days (the article: keep in close contact with the payment gateway provider).
                Reconcile the timed-out transactions of the incident window with the gateway's settlement file.
                """,
                """
                服务商确认恢复且超时率正常 15 分钟后，回切路由并解决事件，要求服务商 5 个工作日内提交根因报告（原文：与支付网关提供商保持密切沟通）。
                用网关结算文件核对事件期间的超时交易。
                """),
        ],
    };

    private static RunbookDraft Software() => new()
    {
        Id = Causes.DefaultRunbookId(Cause.Software),
        Cause = Cause.Software,
        Severity = Severity.Major,
        Title = new("Terminal firmware defect", "终端软件(固件)缺陷"),
        Contacts = Contacts("Terminal release", "终端发布", "https://oapi.dingtalk.com/robot/send?access_token=REPLACE-release"),
        Workaround = new(
            "keep the terminal switched on so it can receive the fix; if it freezes, restart it once, and use another terminal or QR payments meanwhile.",
            "请保持终端开机以便接收修复版本；如终端卡死可重启一次，期间使用其他终端或扫码收款。"),
        MerchantTemplate = Template,
        Steps =
        [
            Step("Confirm the firmware pattern", "确认固件版本特征", R.SupportAgent, 10,
                """
                The evidence should show timeouts or errors (often at the application stage) concentrated on **one firmware version**, across
                regions, often starting when that version rolled out, with restarts (uptime drops back to zero). On the terminal page compare a failing
                terminal's firmware history with a healthy one's.
                """,
                """
                证据应显示超时或错误结果（多为应用阶段）集中在**某一固件版本**，跨多个地区，往往在该版本推送后开始，并伴有重启（运行时间归零）。
                在终端页对比故障终端与正常终端的固件历史。
                """),
            Step("Halt the rollout", "暂停版本推送", R.ReleaseManager, 10,
                """
                Stop the staged rollout of that version in the TMS at once so no more terminals receive it. Record how many terminals already
                run it (the incident's affected terminal count) and the rollout batch in progress.
                """,
                """
                立即在 TMS 中停止该版本的分批推送，避免更多终端升级。记录已安装该版本的终端数（事件受影响终端数）和正在进行的推送批次。
                """),
            Step("Roll back to the last good version", "回滚到上一个稳定版本", R.ReleaseManager, 30,
                """
                Schedule a rollback to the previous version in the TMS for the affected terminals, first to the merchants with the most failed
                sales. Terminals apply it at their next check-in; ask merchants to keep them on. Watch heartbeats: the firmware should change back
                and restarts stop.
                """,
                """
                在 TMS 中为受影响终端安排回滚到上一版本，优先处理失败交易最多的商户。终端会在下次签到时执行；请商户保持终端开机。
                观察心跳：固件应变回旧版本，重启停止。
                """),
            Step("Open a defect with the vendor", "向厂商提交缺陷", R.Vendor, 20,
                """
                Open a defect with the terminal vendor: firmware version, symptoms, failing stage, error codes, sample terminal ids and times,
                and the restart pattern. Ask for a fixed build and their test evidence before any new rollout (the article: fix software defects, automate testing).
                """,
                """
                向终端厂商提交缺陷：固件版本、现象、故障阶段、错误码、若干终端编号与时间，以及重启规律。
                在重新推送前，要求厂商提供修复版本及测试证据（原文：修复软件漏洞、引入自动化测试）。
                """),
            Step("Close with a safer rollout plan", "以更稳妥的推送计划收尾", R.DutyManager, 15,
                """
                Resolve when the rate is normal for 15 minutes on the rolled-back terminals. In the review: why the staged rollout did not stop
                by itself, and a canary size and watch period for the fixed build.
                """,
                """
                已回滚终端的超时率正常 15 分钟后解决事件。复盘：为什么分批推送没有自动中止；为修复版本确定灰度规模和观察期。
                """),
        ],
    };

    private static RunbookDraft Hardware() => new()
    {
        Id = Causes.DefaultRunbookId(Cause.Hardware),
        Cause = Cause.Hardware,
        Severity = Severity.Minor,
        Title = new("Terminal hardware fault (printer, scanner, device)", "终端硬件故障(打印机、扫码器、设备)"),
        Contacts = Contacts("Field service", "现场服务", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=REPLACE-field-service"),
        Workaround = new(
            "check the paper roll and printer cover; the payment itself has gone through if the screen shows approved — give the customer an electronic receipt.",
            "请检查打印纸和打印机仓盖；如屏幕显示交易成功，款项已收妥，可为顾客提供电子签购单。"),
        MerchantTemplate = Template,
        Steps =
        [
            Step("Identify the failing device", "确认故障部件", R.SupportAgent, 5,
                """
                Open the terminal page of each affected terminal: timeouts at the print stage point at the printer; a printer or scanner status other than
                OK (e.g. out of paper, jammed) names the fault; CPU or memory above 90 % for long points at an ageing device.
                """,
                """
                打开每台受影响终端的终端页：打印阶段超时说明是打印机问题；打印机或扫码器状态不是“正常”（如缺纸、卡纸）可直接看出故障；
                CPU 或内存长期高于 90% 说明设备老化。
                """),
            Step("Fix it with the cashier", "与收银员一起处理", R.SupportAgent, 10,
                """
                Call the store: replace the paper roll (58 mm thermal, printed side outwards), clear a jam and close the cover firmly;
                for the scanner, clean the window and re-seat the cable. Restart the terminal once if CPU or memory stays high.
                Confirm on the terminal page that the status returns to OK.
                """,
                """
                致电门店：更换打印纸（58 毫米热敏纸，打印面朝外），清除卡纸并扣紧仓盖；扫码器请擦拭窗口并重新插好线缆。
                如 CPU 或内存持续偏高，重启终端一次。在终端页确认状态恢复为正常。
                """),
            Step("Schedule repair or replacement", "安排维修或更换", R.FieldTechnician, 60,
                """
                If the fault remains, book a field visit or a swap terminal within one business day, and note the booking in the timeline.
                Terminals that fail repeatedly or are older than their service life go on the replacement list (the article: ageing hardware, replace or repair it in time).
                """,
                """
                如故障仍在，预约一个工作日内的上门维修或换机，并将预约记入时间线。
                反复故障或超过使用年限的终端列入更换清单（原文：硬件老化、及时更换或维修）。
                """),
            Step("Close and check the fleet", "关闭并检查同批设备", R.SupportAgent, 10,
                """
                Resolve when the terminal prints and scans normally. If several terminals of the same model failed this week, raise it with the
                vendor as a batch problem and plan preventive maintenance.
                """,
                """
                终端打印、扫码恢复正常后解决事件。如本周同一型号多台终端故障，作为批次问题向厂商反馈，并安排预防性维护（定期维护检查）。
                """),
        ],
    };

    private static RunbookDraft ThirdParty() => new()
    {
        Id = Causes.DefaultRunbookId(Cause.ThirdParty),
        Cause = Cause.ThirdParty,
        Severity = Severity.Minor,
        Title = new("Notification provider outage (SMS / e-mail after the sale)", "第三方通知服务故障(交易后的短信 / 邮件)"),
        Contacts = Contacts("Integrations", "第三方对接", "https://hooks.slack.com/services/REPLACE/integrations"),
        Workaround = new(
            "payments are not affected: sales complete normally, only the SMS or e-mail receipt is late and will be resent.",
            "收款不受影响：交易正常完成，只是短信或邮件通知会延迟，稍后将补发。"),
        MerchantTemplate = Template,
        Steps =
        [
            Step("Confirm payments are healthy", "确认支付环节正常", R.SupportAgent, 5,
                """
                The evidence should show timeouts at the notify stage while the connect, platform host and gateway stages are healthy. Tell callers that the
                money has been taken and only the receipt message is late.
                """,
                """
                证据应显示通知阶段超时，而连接、平台主机、网关阶段正常。告知来电商户：款项已收妥，只是通知消息延迟。
                """),
            Step("Contact the provider", "联系服务商", R.NocEngineer, 15,
                """
                Check the SMS/e-mail provider's status page and open a ticket: first failure time, failure rate, sample message ids.
                Test from the NOC with a single message through their API to confirm the outage and its error code.
                """,
                """
                查看短信/邮件服务商状态页并提交工单：首次故障时间、失败率、若干消息编号。在 NOC 通过其 API 发送一条测试消息，确认故障及错误码。
                """),
            Step("Queue and resend", "排队并补发", R.PlatformOnCall, 20,
                """
                Make sure the notification service queues failed messages instead of dropping them, and lower its timeout so it does not hold up
                the terminal. After recovery resend the queue and check the delivered count against the failed count of the incident window.
                Switch to the backup provider if the outage lasts more than an hour.
                """,
                """
                确认通知服务将失败消息排队而不是丢弃，并调低其超时时间，避免拖慢终端。恢复后补发队列，并核对补发数量与事件期间失败数量。
                如故障超过一小时，切换到备用服务商。
                """),
            Step("Close with the provider", "与服务商收尾", R.DutyManager, 10,
                """
                Resolve when notify timeouts are back to normal. Ask the provider for an explanation and review the service level in the
                contract (the article: build a good working relationship with third-party providers).
                """,
                """
                通知阶段超时恢复正常后解决事件。要求服务商说明原因，并复核合同中的服务等级（原文：与第三方服务提供商建立良好的合作关系）。
                """),
        ],
    };

    private static RunbookDraft Operator() => new()
    {
        Id = Causes.DefaultRunbookId(Cause.Operator),
        Cause = Cause.Operator,
        Severity = Severity.Minor,
        Title = new("Cashier guidance (input timeouts and cancellations)", "收银员操作指导(输入超时与取消)"),
        Contacts = Contacts("Merchant success", "商户服务", "https://oapi.dingtalk.com/robot/send?access_token=REPLACE-merchant-success"),
        Workaround = new(
            "ask the customer to insert or tap the card only when the terminal asks for it, and to enter the PIN promptly.",
            "请在终端提示后再插卡或挥卡，并提醒顾客及时输入密码。"),
        MerchantTemplate = Template,
        Steps =
        [
            Step("Confirm there is no technical fault", "确认没有技术故障", R.SupportAgent, 5,
                """
                The evidence should show timeouts at the input stage and cancelled sales while network, host and gateway are healthy, usually on
                one terminal or one store and often in one shift. Check the hours on the incident chart: does it match a shift change or a new cashier?
                """,
                """
                证据应显示输入阶段超时和已取消的交易，而网络、主机和网关均正常，通常集中在一台终端或一家门店，且常见于某个班次。
                查看事件曲线的时间段：是否与交接班或新收银员上岗吻合?
                """),
            Step("Call the store and guide the cashier", "致电门店指导收银员", R.SupportAgent, 15,
                """
                Walk the cashier through one sale: enter the amount, **then** present the terminal; card inserted chip-first and left in until the
                beep; PIN within 60 seconds; no pressing Cancel while "Processing" is shown. No technical action is needed.
                """,
                """
                带收银员完整操作一笔：先输入金额，**再**递给顾客；芯片朝内插卡，听到提示音前不要拔卡；60 秒内输入密码；
                屏幕显示"处理中"时不要按取消键。无需技术处理。
                """),
            Step("Send the quick guide and plan training", "发送速查指南并安排培训", R.MerchantSuccess, 15,
                """
                Send the merchant the one-page quick guide for their terminal model, and offer a short training session for new staff
                (the article: train staff better, guide and train users in operating the terminal). Note the training date in the timeline.
                """,
                """
                向商户发送对应机型的一页速查指南，并为新员工安排简短培训（原文：加强员工培训、对用户操作进行指导和培训）。把培训日期记入时间线。
                """),
            Step("Close and follow up", "关闭并回访", R.SupportAgent, 5,
                """
                Resolve when cancellations are back to the store's normal level. Call again after a week; repeated cases may mean the terminal's
                prompts are confusing — feed that back to the vendor.
                """,
                """
                取消率回到门店正常水平后解决事件。一周后回访；如反复发生，可能是终端提示不清晰，请反馈给厂商。
                """),
        ],
    };
}
