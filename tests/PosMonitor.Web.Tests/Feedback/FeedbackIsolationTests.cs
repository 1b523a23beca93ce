using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Feedback;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Feedback;

public class FeedbackIsolationTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Card_numbers_are_masked_and_a_luhn_invalid_order_number_is_left_alone()
    {
        await factory.SeedAsync();
        var id = await factory.SubmitFeedbackAsync(PortalFactory.Owner1, "Card 4111-1111-1111-1111 declined; order 1234567890123456 lost.");

        var stored = await factory.Services.GetRequiredService<FeedbackRepository>().GetAsync(id, CancellationToken.None);

        Assert.Equal("Card 411111******1111 declined; order 1234567890123456 lost.", stored!.Text);
    }

    [Fact]
    public async Task Card_numbers_with_dots_or_full_width_digits_are_masked_in_feedback_and_replies()
    {
        await factory.SeedAsync();
        var id = await factory.SubmitFeedbackAsync(PortalFactory.Owner1, "Card 4111.1111.1111.1111 declined twice.");
        using (var scope = factory.Services.CreateScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<FeedbackService>().ReplyAsync(await factory.PrincipalAsync(PortalFactory.Owner1), id,
                "卡号是４１１１　１１１１　１１１１　１１１１", CancellationToken.None));

        var repository = factory.Services.GetRequiredService<FeedbackRepository>();
        Assert.Equal("Card 411111******1111 declined twice.", (await repository.GetAsync(id, CancellationToken.None))!.Text);
        Assert.Equal("卡号是411111******1111", (await repository.RepliesAsync(id, CancellationToken.None)).Single().Text);
    }

    [Fact]
    public async Task A_read_merchant_key_gets_404_for_another_merchants_feedback_and_the_attempt_is_audited()
    {
        await factory.SeedAsync();
        var other = await factory.SubmitFeedbackAsync(PortalFactory.Owner2, "Printer jammed all morning.");
        var mine = await factory.SubmitFeedbackAsync(PortalFactory.Owner1, "Network was slow at noon.");
        var key = await factory.CreateKeyAsync(Scopes.ReadMerchant, "m-0001");
        var client = factory.CreateClient(key);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/feedback/{mine}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/feedback/{other}")).StatusCode);
        var list = await client.GetFromJsonAsync<List<FeedbackBody>>("/api/v1/feedback");
        Assert.All(list!, f => Assert.Equal("m-0001", f.MerchantId));
        Assert.Contains(await AuditAsync(AuditActions.CrossMerchant), e => e.Target == $"feedback:{other}" && e.Actor.StartsWith("key:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_signed_in_owner_reaches_the_read_api_with_the_cookie_but_not_another_merchants_feedback()
    {
        await factory.SeedAsync();
        var other = await factory.SubmitFeedbackAsync(PortalFactory.Owner2, "Settlement arrived late.");
        var owner = await factory.SignedInAsync(PortalFactory.Owner1);

        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/api/v1/feedback/{other}")).StatusCode);
        Assert.Contains(await AuditAsync(AuditActions.CrossMerchant), e => e.Target == $"feedback:{other}" && e.Actor == PortalFactory.Owner1);
    }

    [Fact]
    public async Task A_wall_display_key_cannot_read_feedback()
    {
        var key = await factory.CreateKeyAsync(Scopes.Display);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClient(key).GetAsync("/api/v1/feedback")).StatusCode);
    }

    [Fact]
    public async Task Feedback_about_another_merchants_terminal_is_refused_and_audited()
    {
        await factory.SeedAsync();
        using var scope = factory.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<FeedbackService>();
        var input = new FeedbackInput { Category = FeedbackCategories.Hardware, Rating = 2, Text = "Terminal is broken", TerminalId = "T-000003" };

        var (id, problems) = await service.SubmitAsync(await factory.PrincipalAsync(PortalFactory.Owner1), input, CancellationToken.None);

        Assert.Null(id);
        Assert.Equal("Invalid_Terminal", problems[nameof(FeedbackInput.TerminalId)]);
        Assert.Contains(await AuditAsync(AuditActions.CrossMerchant), e => e.Target == "terminal:T-000003");
    }

    [Fact]
    public async Task A_timing_out_now_report_without_an_open_incident_is_flagged_as_a_possible_new_fault_with_telemetry()
    {
        await factory.SeedAsync();
        using var scope = factory.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<FeedbackService>();

        var result = await service.ReportTimeoutNowAsync(await factory.PrincipalAsync(PortalFactory.Owner1), "T-000001", CancellationToken.None);

        var stored = await factory.Services.GetRequiredService<FeedbackRepository>().GetAsync(result.FeedbackId, CancellationToken.None);
        Assert.Null(result.IncidentId);
        Assert.True(stored!.PossibleNewFault);
        Assert.Equal(FeedbackCategories.Timeout, stored.Category);
        Assert.Contains("\"minutes\":15", stored.TelemetrySummary);
        var otherOwner = await factory.PrincipalAsync(PortalFactory.Owner2);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => service.ReportTimeoutNowAsync(otherOwner, "T-000001", CancellationToken.None));
    }

    [Fact]
    public async Task A_second_timing_out_report_of_a_terminal_within_minutes_joins_the_first_instead_of_a_duplicate()
    {
        await factory.SeedAsync();
        using var scope = factory.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<FeedbackService>();
        var repository = factory.Services.GetRequiredService<FeedbackRepository>();
        var owner = await factory.PrincipalAsync(PortalFactory.Owner1);

        var first = await service.ReportTimeoutNowAsync(owner, "T-000002", CancellationToken.None);
        // Two taps at once (a double tap, or two phones): still one report.
        var again = await Task.WhenAll(service.ReportTimeoutNowAsync(owner, "T-000002", CancellationToken.None),
            factory.Services.CreateScope().ServiceProvider.GetRequiredService<FeedbackService>().ReportTimeoutNowAsync(owner, "T-000002", CancellationToken.None));

        Assert.False(first.Merged);
        Assert.All(again, r => Assert.Equal((first.FeedbackId, true), (r.FeedbackId, r.Merged)));
        Assert.Single(await repository.ListForMerchantAsync("m-0001", 200, CancellationToken.None), f => f.TerminalId == "T-000002");
        Assert.Equal(2, (await repository.RepliesAsync(first.FeedbackId, CancellationToken.None)).Count(r => r.Text.Contains("Still timing out")));

        // Another terminal is another report; a closed report is not joined.
        Assert.NotEqual(first.FeedbackId, (await service.ReportTimeoutNowAsync(owner, "T-000001", CancellationToken.None)).FeedbackId);
        await repository.SetStatusAsync(first.FeedbackId, FeedbackStatuses.Closed, CancellationToken.None);
        var afterClose = await service.ReportTimeoutNowAsync(owner, "T-000002", CancellationToken.None);
        Assert.False(afterClose.Merged);
        Assert.NotEqual(first.FeedbackId, afterClose.FeedbackId);
    }

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string action)
    {
        await using var c = await factory.Services.GetRequiredService<Db>().OpenAsync();
        return (await c.QueryAsync<AuditEntry>(
            "SELECT id AS Id, at AS At, actor AS Actor, action AS Action, target AS Target, result AS Result, ip AS Ip, detail AS Detail FROM audit_log WHERE action = @action",
            new { action })).AsList();
    }
}
