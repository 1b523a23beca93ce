using System.Globalization;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Web.Features.Runbooks;

/// <summary>A text kept in both portal languages; the page shows the viewer's UI culture.</summary>
public sealed record LocalizedText(string En, string Zh)
{
    public static readonly LocalizedText Empty = new("", "");

    /// <summary>The text for <paramref name="culture"/> (Chinese for any zh culture), the other one when that is blank.</summary>
    public string For(CultureInfo culture)
    {
        var zh = culture.Name.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
        var preferred = zh ? Zh : En;
        return string.IsNullOrWhiteSpace(preferred) ? (zh ? En : Zh) : preferred;
    }

    public string Current => For(CultureInfo.CurrentUICulture);

    /// <summary>Whether a reader in <paramref name="culture"/> gets the other language's text: theirs is blank, the other is not.</summary>
    public bool FallsBackFor(CultureInfo culture)
    {
        var zh = culture.Name.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
        return string.IsNullOrWhiteSpace(zh ? Zh : En) && !string.IsNullOrWhiteSpace(zh ? En : Zh);
    }
}

public enum ContactChannel { Email, Phone, ChatWebhook }

/// <summary>Who is called at an escalation level (1 first, 3 last) and how.</summary>
public sealed record EscalationContact(string Name, string Role, ContactChannel Channel, string Address, int Level);

/// <summary>One step of the plan: what to do (markdown), who does it, and how long it should take.</summary>
public sealed record RunbookStep(LocalizedText Title, LocalizedText Instructions, string Role, int ExpectedMinutes)
{
    /// <summary>Whether part of the step reaches a reader in <paramref name="culture"/> in the other language (so it is marked as such).</summary>
    public bool FallsBackFor(CultureInfo culture) => Title.FallsBackFor(culture) || Instructions.FallsBackFor(culture);
}

/// <summary>What an editor saves; the repository turns it into the next version.</summary>
public sealed record RunbookDraft
{
    public required string Id { get; init; }
    public required Cause Cause { get; init; }
    public required Severity Severity { get; init; }
    public required LocalizedText Title { get; init; }
    public IReadOnlyList<RunbookStep> Steps { get; init; } = [];
    public IReadOnlyList<EscalationContact> Contacts { get; init; } = [];
    /// <summary>What affected merchants are told; placeholders in <see cref="MerchantTemplate.Placeholders"/>.</summary>
    public LocalizedText MerchantTemplate { get; init; } = LocalizedText.Empty;
    /// <summary>What merchants can do meanwhile; fills {workaround}.</summary>
    public LocalizedText Workaround { get; init; } = LocalizedText.Empty;
}

/// <summary>One stored version of a runbook. Versions never change once written.</summary>
public sealed record Runbook(RunbookDraft Content, int Version, DateTimeOffset CreatedAt, string CreatedBy, string? ChangeNote)
{
    public string Id => Content.Id;
    public Cause Cause => Content.Cause;
    public Severity Severity => Content.Severity;
    public LocalizedText Title => Content.Title;
    public IReadOnlyList<RunbookStep> Steps => Content.Steps;
    public IReadOnlyList<EscalationContact> Contacts => Content.Contacts;

    /// <summary>The contacts of one escalation level, in the order the editor listed them.</summary>
    public IReadOnlyList<EscalationContact> ContactsAt(int level) => [.. Contacts.Where(c => c.Level == level)];
}

/// <summary>A row of the runbook list: the current version's headline.</summary>
public sealed record RunbookSummary(string Id, int Version, Cause Cause, Severity Severity, LocalizedText Title, int Steps, DateTimeOffset UpdatedAt);

/// <summary>A line of a runbook's history.</summary>
public sealed record RunbookVersionInfo(int Version, DateTimeOffset CreatedAt, string CreatedBy, string? ChangeNote);

/// <summary>Why a draft cannot be saved; the editor shows these beside the form.</summary>
public static class RunbookRules
{
    public const int MaxLevel = 3;

    public static IReadOnlyList<string> Check(RunbookDraft d)
    {
        var problems = new List<string>();
        if (!Core.Identifier.IsValid(d.Id) || !d.Id.StartsWith("rb-", StringComparison.Ordinal)) problems.Add("Id");
        if (string.IsNullOrWhiteSpace(d.Title.En) || string.IsNullOrWhiteSpace(d.Title.Zh)) problems.Add("Title");
        if (d.Steps.Count == 0) problems.Add("NoSteps");
        if (d.Steps.Any(s => string.IsNullOrWhiteSpace(s.Title.En) && string.IsNullOrWhiteSpace(s.Title.Zh))) problems.Add("StepTitle");
        if (d.Steps.Any(s => s.ExpectedMinutes is < 0 or > 24 * 60)) problems.Add("StepMinutes");
        if (d.Contacts.Any(c => c.Level is < 1 or > MaxLevel || string.IsNullOrWhiteSpace(c.Name) || string.IsNullOrWhiteSpace(c.Address)))
            problems.Add("Contact");
        return problems;
    }
}
