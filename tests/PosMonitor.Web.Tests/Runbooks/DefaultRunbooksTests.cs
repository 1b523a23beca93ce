using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Runbooks;

namespace PosMonitor.Web.Tests.Runbooks;

public class DefaultRunbooksTests
{
    [Fact]
    public void Every_cause_has_its_runbook_file_in_both_languages_and_nothing_else_is_embedded()
    {
        var embedded = typeof(DefaultRunbooks).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(DefaultRunbooks.ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[DefaultRunbooks.ResourcePrefix.Length..]).Order(StringComparer.Ordinal);
        var expected = Causes.All.Select(Causes.Name).Append("merchant-message")
            .SelectMany(name => DefaultRunbooks.Languages.Select(language => $"{name}.{language}.md")).Order(StringComparer.Ordinal);
        Assert.Equal(expected, embedded);
    }

    /// <summary>
    /// The runbooks seeded from the Markdown files are, field for field, what the C# strings they replaced seeded:
    /// DefaultRunbooks.snapshot.json was written from those strings before the move.
    /// </summary>
    [Fact]
    public void Seeded_runbooks_are_the_ones_seeded_before_their_text_moved_to_markdown() =>
        Assert.Equal(File.ReadAllText(SnapshotPath()).ReplaceLineEndings("\n"), Snapshot() + "\n");

    private static string SnapshotPath([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "DefaultRunbooks.snapshot.json");

    private static readonly JsonSerializerOptions SnapshotOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Every field of every default runbook, both languages side by side (not the culture-dependent Current).</summary>
    private static string Snapshot() => JsonSerializer.Serialize(DefaultRunbooks.All.Select(r => new
    {
        r.Id, r.Cause, r.Severity, Title = Both(r.Title),
        Steps = r.Steps.Select(s => new { Title = Both(s.Title), Instructions = Both(s.Instructions), s.Role, s.ExpectedMinutes }),
        r.Contacts, MerchantTemplate = Both(r.MerchantTemplate), Workaround = Both(r.Workaround),
    }), SnapshotOptions).ReplaceLineEndings("\n");

    private static string[] Both(LocalizedText text) => [text.En, text.Zh];

    [Fact]
    public void Every_cause_has_its_default_runbook_with_the_cause_s_id() =>
        Assert.Equal(Causes.All.Select(Causes.DefaultRunbookId).Order(), DefaultRunbooks.All.Select(r => r.Id).Order());

    [Fact]
    public void Each_default_runbook_is_valid_and_written_in_both_languages()
    {
        foreach (var r in DefaultRunbooks.All)
        {
            Assert.Empty(RunbookRules.Check(r));
            Assert.Equal(r.Id, Causes.DefaultRunbookId(r.Cause));
            Assert.True(r.Steps.Count >= 4, r.Id);
            Assert.All(r.Steps, s =>
            {
                Assert.False(string.IsNullOrWhiteSpace(s.Instructions.En), $"{r.Id}: {s.Title.En}");
                Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", s.Instructions.Zh);
                Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", s.Title.Zh);
                Assert.Contains(s.Role, RunbookRoles.All);
                Assert.InRange(s.ExpectedMinutes, 1, 120);
            });
            Assert.Contains(r.Contacts, c => c.Level == 1);
            Assert.Contains(r.Contacts, c => c.Level == 2);
            Assert.Contains(r.Contacts, c => c.Level == 3);
            Assert.Empty(MerchantTemplate.Unknown(r.MerchantTemplate.En));
            Assert.Empty(MerchantTemplate.Unknown(r.MerchantTemplate.Zh));
            Assert.Contains("{workaround}", r.MerchantTemplate.Zh);
            Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", r.Workaround.Zh);
        }
    }

    /// <summary>
    /// An English reader gets English and a Chinese reader Chinese: the English texts carry no Chinese at all (the
    /// article's remedies are quoted in translation), and the Chinese ones no English sentence outside code spans
    /// (acronyms such as NOC, TMS, Wi-Fi stay). Contact names are one field shown to both, so they stay bilingual.
    /// </summary>
    [Fact]
    public void English_texts_are_english_and_chinese_texts_chinese()
    {
        var wrong = new List<string>();
        foreach (var r in DefaultRunbooks.All)
        {
            var texts = new List<(string Where, LocalizedText Text)> { ("title", r.Title), ("workaround", r.Workaround), ("message", r.MerchantTemplate) };
            texts.AddRange(r.Steps.SelectMany((s, i) => new[] { ($"step {i + 1} title", s.Title), ($"step {i + 1}", s.Instructions) }));
            foreach (var (where, text) in texts)
            {
                if (Regex.IsMatch(text.En, @"[\p{IsCJKUnifiedIdeographs}\p{IsCJKSymbolsandPunctuation}\p{IsHalfwidthandFullwidthForms}]"))
                    wrong.Add($"{r.Id} {where} (en): {text.En}");
                if (Regex.Match(Regex.Replace(text.Zh, "`[^`]*`", ""), @"[A-Za-z]+[ ,]+[A-Za-z]+[ ,]+[a-z]+") is { Success: true } m)
                    wrong.Add($"{r.Id} {where} (zh): {m.Value}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
