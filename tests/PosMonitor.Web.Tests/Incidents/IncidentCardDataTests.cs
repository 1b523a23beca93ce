using Dapper;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Incidents;

/// <summary>what agents type on an incident, and what is built from the fleet's names, is stored masked.</summary>
public class IncidentCardDataTests
{
    private const string By = "agent@demo.posmonitor";

    [Theory]
    [InlineData("note", "merchant read out 4111.1111.1111.1111 on the phone")]
    [InlineData("manual title", "卡号４１１１１１１１１１１１１１１１ declined at T-000001")]
    [InlineData("skip reason", "customer card 4111\u00A01111\u00A01111\u00A01111 was the test")]
    [InlineData("cause note", "only card 4111/1111/1111/1111 failed")]
    [InlineData("review", "impact: 41 11 11 11 11 11 11 11 charged twice")]
    [InlineData("assignee", "4111_1111_1111_1111")]
    public async Task What_an_agent_types_is_stored_with_card_numbers_masked(string place, string text)
    {
        await using var h = await TicketHarness.CreateAsync();
        var incident = await h.Workflow.CreateManualAsync(place == "manual title" ? text : "Card reader fault", Cause.Hardware, Severity.Minor,
            ScopeType.Merchant, "m-0001", ["m-0001"], By, default);
        switch (place)
        {
            case "note": await h.Workflow.AddNoteAsync(incident.Id, text, By, default); break;
            case "skip reason": await h.Workflow.SkipAsync(incident.Id, 0, text, By, default); break;
            case "cause note": await h.Workflow.ConfirmCauseAsync(incident.Id, Cause.Hardware, text, By, default); break;
            case "review": await h.Workflow.SaveReviewAsync(incident.Id, new PostIncidentReview("summary", text, "follow-ups"), By, default); break;
            case "assignee": await h.Workflow.AssignAsync(incident.Id, text, By, default); break;
        }

        Assert.Empty(await StoredCardData.FindAsync(h.Database.Db));
        await using var c = await h.Database.Db.OpenAsync();
        Assert.True(await c.ExecuteScalarAsync<int>(
            """
            SELECT (SELECT COUNT(*) FROM incident_notes WHERE text LIKE '%411111*%')
                 + (SELECT COUNT(*) FROM incidents WHERE title LIKE '%411111*%')
                 + (SELECT COUNT(*) FROM incident_steps WHERE reason LIKE '%411111*%')
                 + (SELECT COUNT(*) FROM incident_tickets WHERE review_impact LIKE '%411111*%' OR confirmed_note LIKE '%411111*%' OR assignee LIKE '%411111*%')
            """) > 0, "the text is kept, masked");
    }

    [Fact]
    public async Task Incident_titles_merchant_notices_and_notifications_built_from_a_name_holding_a_card_number_are_stored_masked()
    {
        await using var h = await TicketHarness.CreateAsync(notifications: new NotificationOptions
        {
            Channels = [new NotificationChannelOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" }],
        });
        // A name stored before the fleet API screened names (the API now refuses it), and a title made from it.
        var fleet = TestFleet.Small();
        fleet.Merchants![0] = fleet.Merchants[0] with { Name = "Lotus 4111.1111.1111.1111" };
        await h.Fleet.UpsertAsync(fleet, default);
        await h.Cache.ReloadAsync(default);
        var incident = h.GatewayIncident() with { Title = "Merchant Lotus 4111.1111.1111.1111 timeouts" };

        await h.DetectAsync(incident);
        await h.Notifications.Notifier.EnqueueAsync(NotificationMessage.From(NotificationEvents.Opened, incident, h.Clock.GetUtcNow(),
            note: "from 4111 1111 1111 1111"));

        await using var c = await h.Database.Db.OpenAsync();
        var notices = (await c.QueryAsync<string>("SELECT text || ' ' || text_zh FROM merchant_notices WHERE merchant_id = 'm-0001'")).ToList();
        Assert.NotEmpty(notices);
        Assert.All(notices, n => Assert.Contains("411111******1111", n));
        var payloads = (await c.QueryAsync<string>("SELECT payload FROM notification_outbox")).ToList();
        Assert.NotEmpty(payloads);
        Assert.All(payloads, p => Assert.DoesNotContain("4111.1111", p));
        var found = await StoredCardData.FindAsync(c);
        // Only the fleet row itself, written here behind the API's back, still holds it.
        Assert.Equal(["merchants.name: Lotus 4111.1111.1111.1111"], found);
    }
}
