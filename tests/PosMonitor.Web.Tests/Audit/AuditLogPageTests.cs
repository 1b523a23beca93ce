using Bunit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Audit;

/// <summary>The page over the real audit log on a temporary SQLite database.</summary>
public sealed class AuditLogPageTests : BunitTest
{
    [Fact]
    public async Task Results_are_worded_in_the_reader_s_language_with_the_stored_code_in_the_tooltip()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var audit = new AuditLog(database.Db, TimeProvider.System, new ClientAddress(new HttpContextAccessor()), NullLogger<AuditLog>.Instance);
        await audit.RecordAsync("alice@test.local", AuditActions.SignIn, "alice@test.local", AuditResults.Success, CancellationToken.None);
        await audit.RecordAsync("anonymous", AuditActions.DisplaySignIn, "/wall", AuditResults.Denied, CancellationToken.None);
        Services.AddSingleton(audit);
        using var chinese = CultureScope.UseUi("zh-CN");

        var page = Render<AuditLogPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".audit-grid tbody tr").Count));
        var chips = page.FindAll(".audit-grid tbody .mud-chip");
        Assert.Equal([("denied", "拒绝"), ("success", "成功")],
            chips.Select(c => (c.GetAttribute("title"), c.TextContent.Trim())).OrderBy(c => c.Item1).ToList());
    }
}
