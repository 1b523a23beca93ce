using System.Text;
using System.Text.RegularExpressions;
using PosMonitor.Core.Incidents;
using R = PosMonitor.Web.Features.Runbooks.RunbookRoles;

namespace PosMonitor.Web.Features.Runbooks;

/// <summary>
/// Version 1 of the default runbook of each cause (Causes.DefaultRunbookId), written from the
/// remedies of the source article (in our words: src/PosMonitor.Web/Features/Runbooks/what-the-runbooks-draw-on.md) and
/// the first moves of src/PosMonitor.Core/Detection/timeout-causes.md. The words live in Markdown, one file per cause
/// and language in Defaults/ (embedded in the assembly), so they are edited as documents; what is not language —
/// severity and who is called — stays here. Contacts are role mailboxes to be replaced by each operator in the
/// editor; everything else is meant to be usable as it stands.
/// </summary>
public static partial class DefaultRunbooks
{
    /// <summary>How the files in Defaults/ are named inside the assembly (PosMonitor.Web.csproj).</summary>
    internal const string ResourcePrefix = "runbooks.defaults.";
    internal static readonly string[] Languages = ["en", "zh-CN"];

    // Declared before All: static fields initialise in textual order.
    private static readonly LocalizedText Template = new(Read("merchant-message.en.md").Trim(), Read("merchant-message.zh-CN.md").Trim());

    public static IReadOnlyList<RunbookDraft> All { get; } =
    [
        Load(Cause.Network, Severity.Major, Contacts("Network", "网络", "https://oapi.dingtalk.com/robot/send?access_token=REPLACE-network-oncall")),
        Load(Cause.Server, Severity.Critical, Contacts("Platform", "平台", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=REPLACE-platform-oncall")),
        Load(Cause.Gateway, Severity.Critical, Contacts("Gateway liaison", "网关对接", "https://hooks.slack.com/services/REPLACE/gateway-liaison")),
        Load(Cause.Software, Severity.Major, Contacts("Terminal release", "终端发布", "https://oapi.dingtalk.com/robot/send?access_token=REPLACE-release")),
        Load(Cause.Hardware, Severity.Minor, Contacts("Field service", "现场服务", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=REPLACE-field-service")),
        Load(Cause.ThirdParty, Severity.Minor, Contacts("Integrations", "第三方对接", "https://hooks.slack.com/services/REPLACE/integrations")),
        Load(Cause.Operator, Severity.Minor, Contacts("Merchant success", "商户服务", "https://oapi.dingtalk.com/robot/send?access_token=REPLACE-merchant-success")),
    ];

    private static EscalationContact[] Contacts(string team, string teamZh, string chat) =>
    [
        new($"{team} on-call / {teamZh}值班", R.NocEngineer, ContactChannel.ChatWebhook, chat, 1),
        new("Support duty lead / 客服值班主管", R.SupportAgent, ContactChannel.Email, "support-lead@acquirer.example", 1),
        new("Operations duty manager / 运营值班经理", R.DutyManager, ContactChannel.Phone, "+86 21 5555 0100", 2),
        new("Head of payments operations / 支付运营负责人", R.DutyManager, ContactChannel.Email, "payments-ops-head@acquirer.example", 3),
    ];

    private static RunbookDraft Load(Cause cause, Severity severity, EscalationContact[] contacts)
    {
        var name = Causes.Name(cause);
        var en = Parse($"{name}.en.md");
        var zh = Parse($"{name}.zh-CN.md");
        if (en.Steps.Count != zh.Steps.Count || en.Steps.Zip(zh.Steps).Any(p => p.First.Role != p.Second.Role || p.First.Minutes != p.Second.Minutes))
            throw new InvalidOperationException($"Runbooks/Defaults/{name}.en.md and {name}.zh-CN.md must list the same steps, with the same roles and minutes, in the same order.");
        return new RunbookDraft
        {
            Id = Causes.DefaultRunbookId(cause),
            Cause = cause,
            Severity = severity,
            Title = new(en.Title, zh.Title),
            Contacts = contacts,
            Workaround = new(en.Workaround, zh.Workaround),
            MerchantTemplate = Template,
            Steps = [.. en.Steps.Zip(zh.Steps, (e, z) => new RunbookStep(new(e.Title, z.Title), new(e.Instructions, z.Instructions), e.Role, e.Minutes))],
        };
    }

    /// <summary>One language's words of a default runbook.</summary>
    private sealed record Text(string Title, string Workaround, IReadOnlyList<StepText> Steps);

    private sealed record StepText(string Title, string Role, int Minutes, string Instructions);

    /// <summary>
    /// Reads a runbook file: <c># title</c>, then <c>## Workaround</c> and its text, then <c>## Steps</c> with one
    /// <c>### step title</c> each, its <c>Role: role_key, N min</c> line and its instructions (Markdown, shown as written).
    /// </summary>
    private static Text Parse(string file)
    {
        string? title = null, section = null;
        var workaround = new StringBuilder();
        var steps = new List<(string Title, string? Role, int Minutes, StringBuilder Body)>();
        foreach (var line in Read(file).Split('\n'))
        {
            if (line.StartsWith("# ", StringComparison.Ordinal) && title is null) title = line[2..].Trim();
            else if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                section = line[3..].Trim();
                if (section is not ("Workaround" or "Steps")) throw Bad(file, $"unknown section '{line}' (expected '## Workaround' or '## Steps')");
            }
            else if (line.StartsWith("### ", StringComparison.Ordinal) && section == "Steps") steps.Add((line[4..].Trim(), null, 0, new StringBuilder()));
            else if (section == "Steps" && steps.Count > 0 && steps[^1].Role is null && !string.IsNullOrWhiteSpace(line))
            {
                var role = RoleLine().Match(line);
                if (!role.Success || !RunbookRoles.All.Contains(role.Groups["role"].Value))
                    throw Bad(file, $"step '{steps[^1].Title}' must start with 'Role: <one of {string.Join(", ", RunbookRoles.All)}>, <minutes> min', not '{line}'");
                steps[^1] = steps[^1] with { Role = role.Groups["role"].Value, Minutes = int.Parse(role.Groups["minutes"].Value) };
            }
            else if (section == "Workaround") workaround.Append(line).Append('\n');
            else if (section == "Steps" && steps.Count > 0) steps[^1].Body.Append(line).Append('\n');
            else if (!string.IsNullOrWhiteSpace(line)) throw Bad(file, $"text outside a section: '{line}'");
        }
        if (title is null) throw Bad(file, "no '# title' line");
        if (steps.Count == 0 || steps.Any(s => s.Role is null)) throw Bad(file, "no steps, or a step without its 'Role:' line");
        return new Text(title, workaround.ToString().Trim(), [.. steps.Select(s => new StepText(s.Title, s.Role!, s.Minutes, s.Body.ToString().Trim()))]);
    }

    private static InvalidOperationException Bad(string file, string what) => new($"Runbooks/Defaults/{file}: {what}.");

    private static string Read(string file)
    {
        using var stream = typeof(DefaultRunbooks).Assembly.GetManifestResourceStream(ResourcePrefix + file)
            ?? throw new InvalidOperationException($"Runbooks/Defaults/{file} is missing from the assembly (PosMonitor.Web.csproj embeds Features/Runbooks/Defaults/*.md).");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        // A checkout with CRLF endings must seed the same text as one with LF.
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }

    [GeneratedRegex(@"^Role: (?<role>[a-z_]+), (?<minutes>[0-9]+) min$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleLine();
}
