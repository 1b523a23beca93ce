using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Detection;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;
using FleetModel = PosMonitor.Core.Fleet.Fleet;

namespace PosMonitor.Web.Tests.Identity;

/// <summary>A merchant owner opening another merchant's terminal or incident gets not-found, and the attempt is audited.</summary>
public class OwnerCrossMerchantTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task An_owner_opening_another_merchants_terminal_page_gets_404_and_the_attempt_is_audited()
    {
        await factory.SeedAsync();
        var owner = await factory.SignedInAsync(PortalFactory.Owner1);

        var own = await owner.GetAsync("/terminals/T-000001");
        var other = await owner.GetAsync("/terminals/T-000003");
        var unknown = await owner.GetAsync("/terminals/T-999999");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        // Not found looks the same whether the terminal is someone else's or does not exist.
        Assert.DoesNotContain("Harbin Bakery", await other.Content.ReadAsStringAsync());
        var audited = await CrossMerchantAsync();
        Assert.Contains(audited, e => e.Actor == PortalFactory.Owner1 && e.Target == "terminal:T-000003" && e.Result == AuditResults.Denied);
        Assert.DoesNotContain(audited, e => e.Target == "terminal:T-000001");
    }

    [Fact]
    public async Task Staff_opening_any_terminal_are_not_audited_as_cross_merchant()
    {
        await factory.SeedAsync();
        var agent = await factory.SignedInAsync(PortalFactory.Agent);

        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync("/terminals/T-000004")).StatusCode);
        Assert.DoesNotContain(await CrossMerchantAsync(), e => e.Actor == PortalFactory.Agent);
    }

    [Fact]
    public async Task An_owner_or_merchant_key_asking_for_another_merchants_incident_gets_404_and_the_attempt_is_audited()
    {
        await factory.SeedAsync();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (own, other) = ($"inc-own-{suffix}", $"inc-other-{suffix}");
        var repo = factory.Services.GetRequiredService<IncidentRepository>();
        var fleet = FleetModel.FromDocument(TestFleet.Small());
        var now = DateTimeOffset.UtcNow;
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, TestIncidents.GatewayOutage(own, now, ["T-000001"]))], fleet, CancellationToken.None);
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, TestIncidents.GatewayOutage(other, now, ["T-000003"]))], fleet, CancellationToken.None);
        var owner = await factory.SignedInAsync(PortalFactory.Owner1);
        var key = factory.CreateClient(await factory.CreateKeyAsync(Scopes.ReadMerchant, "m-0001"));

        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/v1/incidents/{own}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/api/v1/incidents/{other}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await key.GetAsync($"/api/v1/incidents/{other}")).StatusCode);

        var audited = await CrossMerchantAsync();
        Assert.Contains(audited, e => e.Actor == PortalFactory.Owner1 && e.Target == $"incident:{other}");
        Assert.Contains(audited, e => e.Actor.StartsWith("key:", StringComparison.Ordinal) && e.Target == $"incident:{other}");
        Assert.DoesNotContain(audited, e => e.Target == $"incident:{own}");
    }

    [Fact]
    public async Task An_owner_opening_the_staff_incident_page_of_another_merchants_incident_is_turned_away_without_its_content()
    {
        await factory.SeedAsync();
        var id = $"inc-page-{Guid.NewGuid().ToString("N")[..6]}";
        var incident = TestIncidents.GatewayOutage(id, DateTimeOffset.UtcNow, ["T-000003"]) with { Title = "Harbin outage " + id };
        await factory.Services.GetRequiredService<IncidentRepository>().SaveAsync(
            [new IncidentChange(IncidentChangeKind.Opened, incident)], FleetModel.FromDocument(TestFleet.Small()), CancellationToken.None);
        var owner = await factory.SignedInAsync(PortalFactory.Owner1);

        var response = await owner.GetAsync($"/incidents/{id}");

        // The incident page is staff-only: an owner is sent to the access-denied page for any id, so
        // whether the incident exists does not leak (owners follow their incidents on /my).
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/denied", response.Headers.Location?.AbsolutePath);
        Assert.DoesNotContain(incident.Title, await response.Content.ReadAsStringAsync());
    }

    private async Task<IReadOnlyList<AuditEntry>> CrossMerchantAsync()
    {
        await using var c = await factory.Services.GetRequiredService<Db>().OpenAsync();
        return (await c.QueryAsync<AuditEntry>(
            "SELECT id AS Id, at AS At, actor AS Actor, action AS Action, target AS Target, result AS Result, ip AS Ip, detail AS Detail FROM audit_log WHERE action = @action",
            new { action = AuditActions.CrossMerchant })).AsList();
    }
}
