using System.Net;
using System.Text.RegularExpressions;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Tests.Identity;
using PosMonitor.Web.Tests.Incidents;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>
/// Every page, served in English and in Chinese, shows words, never a resource key: a key missing from the resources
/// renders as itself ("Help_Steps"), and keys built at run time (<c>L[$"Cause_{…}"]</c>) escape the static check.
/// </summary>
public partial class RawKeyTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private static readonly string[] StaffPages =
    [
        "/", "/merchants", "/incidents", "/incidents/figures", "/incidents/new", "/runbooks", "/feedback", "/feedback/overview",
        "/admin", "/admin/ingestion", "/admin/detection", "/admin/notifications", "/admin/users", "/admin/keys", "/admin/wall-tokens",
        "/admin/audit", "/admin/maintenance", "/account/two-factor", "/terminals/T-000001",
        .. DefaultRunbooks.All.Select(r => $"/runbooks/{r.Id}"), "/runbooks/rb-gateway-degradation/edit",
    ];

    private static readonly string[] OwnerPages = ["/my", "/my/feedback", "/my/help/timeout"];

    [Theory]
    [InlineData("en")]
    [InlineData("zh-CN")]
    public async Task No_page_shows_a_resource_key(string culture)
    {
        var incident = await factory.OpenManualIncidentAsync("Receipts not printing", Cause.Hardware, Severity.Minor);
        var admin = await factory.SignedInAsync(PortalFactory.Admin);
        var owner = await factory.SignedInAsync(PortalFactory.Owner1);
        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd(culture);
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(culture);

        var found = new List<string>();
        foreach (var (client, page) in StaffPages.Append($"/incidents/{incident.Id}").Select(p => (admin, p)).Concat(OwnerPages.Select(p => (owner, p))))
        {
            var response = await client.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page}: {(int)response.StatusCode}");
            found.AddRange(Keys(await response.Content.ReadAsStringAsync()).Select(k => $"{page}: {k}"));
        }

        Assert.Empty(found);
    }

    /// <summary>
    /// Pages speak to people, not to integrators: no API path ("POST /api/v1/fleet"), no spec file ("timeout-causes.md")
    /// and no wire field name ("stageMs.gateway", "signalDbm") in the text a reader sees, in either language.
    /// </summary>
    [Theory]
    [InlineData("en")]
    [InlineData("zh-CN")]
    public async Task No_page_shows_api_paths_spec_files_or_wire_names(string culture)
    {
        var incident = await factory.OpenManualIncidentAsync("Gateway slow", Cause.Gateway, Severity.Major);
        var admin = await factory.SignedInAsync(PortalFactory.Admin);
        var owner = await factory.SignedInAsync(PortalFactory.Owner1);
        var anonymous = factory.CreateClient();
        foreach (var c in new[] { admin, owner, anonymous }) c.DefaultRequestHeaders.AcceptLanguage.ParseAdd(culture);

        var found = new List<string>();
        var visits = StaffPages.Append($"/incidents/{incident.Id}").Select(p => (admin, p)).Concat(OwnerPages.Select(p => (owner, p))).Append((anonymous, "/wall"));
        foreach (var (client, page) in visits)
        {
            var response = await client.GetAsync(page);
            // The wall without a token answers 401 with the help text telling how to open it.
            var expected = page == "/wall" ? HttpStatusCode.Unauthorized : HttpStatusCode.OK;
            Assert.True(response.StatusCode == expected, $"{page}: {(int)response.StatusCode}");
            found.AddRange(UsDate().Matches(Text(await response.Content.ReadAsStringAsync())).Select(m => $"{page}: DATE {m.Value}").Distinct());
            found.AddRange(Jargon().Matches(Text(await response.Content.ReadAsStringAsync())).Select(m => $"{page}: {m.Value}").Distinct());
        }

        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    private static string Text(string html) => WebUtility.HtmlDecode(Tags().Replace(Hidden().Replace(html, " "), " "));

    // An API path, a Markdown file name, or a camelCase wire field (stageMs, latencyMs, packetLossPct, openedAt …);
    // a merchant-message placeholder such as {openedAt} is what the runbook editor asks its author to type, so it stays.
    [GeneratedRegex(@"/api/\S*|\b[\w-]+\.md\b|(?<!\{)\b[a-z]+(?:Ms|Pct|Dbm|Sec|Type|Offline|At)\b(?:\.\w+)?")]
    private static partial Regex Jargon();

    [GeneratedRegex(@"\b\d{1,2}/\d{1,2}/\d{4}\b")]
    private static partial Regex UsDate();

    /// <summary>Resource-key-shaped words ("Help_Steps", "Kind_opened") in the text a reader sees.</summary>
    private static IEnumerable<string> Keys(string html)
    {
        return Key().Matches(Text(html)).Select(m => m.Value).Distinct();
    }

    [GeneratedRegex(@"<(script|style)\b.*?</\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Hidden();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\b[A-Z][A-Za-z]*_[A-Za-z0-9_]+\b")]
    private static partial Regex Key();
}
