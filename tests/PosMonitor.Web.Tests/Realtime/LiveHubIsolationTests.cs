using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Detection;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Infrastructure.Realtime;
using PosMonitor.Web.Tests.Identity;
using PosMonitor.Web.Tests.Telemetry;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Realtime;

/// <summary>
/// /hubs/live through the real host: a merchant owner signed in with the cookie and a read:merchant key
/// get their own merchant's heatmap rows and incidents, never another merchant's.
/// </summary>
/// <remarks>
/// The hub has no method that takes a merchant or incident id (groups follow from the caller's
/// identity alone), so there is no cross-merchant request to refuse and audit here; the HTTP
/// endpoints' cross-merchant 404s are tested with the features.
/// </remarks>
public class LiveHubIsolationTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private HubConnection Connect(Action<HttpConnectionOptions> auth) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(factory.Server.BaseAddress, LiveHub.Path), o =>
            {
                o.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                auth(o);
            })
            .Build();

    private async Task<HubConnection> OwnerAsync(string email)
    {
        var signIn = await PortalSession.PostSignInAsync(factory.Browser(), email, PortalFactory.Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = PortalSession.AuthCookie(signIn);
        return Connect(o => o.Headers["Cookie"] = cookie);
    }

    private async Task<HubConnection> KeyAsync(string merchantId)
    {
        var key = await factory.CreateKeyAsync(Scopes.ReadMerchant, merchantId);
        return Connect(o => o.Headers["X-Api-Key"] = key);
    }

    private sealed class Received
    {
        public Channel<HeatmapUpdate> Heatmap { get; } = Channel.CreateUnbounded<HeatmapUpdate>();
        public Channel<IncidentMessage> Incidents { get; } = Channel.CreateUnbounded<IncidentMessage>();
    }

    private static async Task<Received> StartAsync(HubConnection connection)
    {
        var received = new Received();
        connection.On<HeatmapUpdate>(LiveHub.HeatmapUpdated, u => received.Heatmap.Writer.TryWrite(u));
        connection.On<IncidentMessage>(LiveHub.IncidentOpened, i => received.Incidents.Writer.TryWrite(i));
        connection.On<IncidentMessage>(LiveHub.IncidentUpdated, i => received.Incidents.Writer.TryWrite(i));
        await connection.StartAsync();
        await connection.InvokeAsync("SubscribeHeatmap", "merchant");
        return received;
    }

    private async Task PostSalesAsync(string terminalId, int sales, int timeouts, DateTimeOffset? at = null)
    {
        var now = at ?? DateTimeOffset.UtcNow;
        var body = TelemetryJson.Body(transactions: Enumerable.Range(0, sales).Select(i =>
            TelemetryJson.Sale($"e-{Guid.NewGuid():D}", terminalId, now, i < timeouts ? "timeout" : "approved", i < timeouts ? "gateway" : null)));
        Assert.Equal(HttpStatusCode.Accepted, (await factory.AdminClient().PostAsync("/api/v1/telemetry", TelemetryJson.Content(body))).StatusCode);
    }

    [Fact]
    public async Task An_owner_by_cookie_and_a_merchant_key_receive_only_their_own_merchants_heatmap_rows()
    {
        await factory.SeedAsync();
        await using var owner1 = await OwnerAsync(PortalFactory.Owner1);
        await using var key2 = await KeyAsync("m-0002");
        var mine1 = await StartAsync(owner1);
        var mine2 = await StartAsync(key2);

        await PostSalesAsync("T-000003", 5, 2);   // m-0002
        await PostSalesAsync("T-000001", 4, 1);   // m-0001
        await PostSalesAsync("T-000004", 3, 0);   // m-0002

        // Then two markers, a sale of each merchant in a minute long past that nothing else touches, the second posted once
        // the first has arrived: the second comes in a later flush than all three posts (the writer and the flushes keep
        // their order), and a connection's messages arrive in order, so anything leaked from the posts arrived before it.
        using var timeout = new CancellationTokenSource(Wait);
        var (seen1, seen2) = (new List<HeatmapUpdate>(), new List<HeatmapUpdate>());
        var markers = Markers();
        foreach (var marker in markers)
        {
            await PostSalesAsync("T-000001", 1, 0, marker);
            await PostSalesAsync("T-000004", 1, 0, marker);
            await ReadUntilCellAsync(mine1.Heatmap, seen1, "m-0001", marker, timeout.Token);
            await ReadUntilCellAsync(mine2.Heatmap, seen2, "m-0002", marker, timeout.Token);
        }
        Assert.All(seen1.Concat(seen2), u => Assert.Equal("merchant", u.By));
        Assert.Equal(["m-0001"], seen1.SelectMany(u => u.Cells).Select(c => c.Row).ToHashSet());
        Assert.Equal(["m-0002"], seen2.SelectMany(u => u.Cells).Select(c => c.Row).ToHashSet());
        // The posts themselves reached their own merchant (not only the markers).
        Assert.Contains(seen1.SelectMany(u => u.Cells), c => c.Minute > markers[1].UtcDateTime);
        Assert.Contains(seen2.SelectMany(u => u.Cells), c => c.Minute > markers[1].UtcDateTime);
    }

    [Fact]
    public async Task An_owner_by_cookie_and_a_merchant_key_receive_only_incidents_affecting_their_merchant_with_their_own_counts()
    {
        await factory.SeedAsync();
        await using var owner1 = await OwnerAsync(PortalFactory.Owner1);
        await using var key1 = await KeyAsync("m-0001");
        await using var owner2 = await OwnerAsync(PortalFactory.Owner2);
        var owner1Got = await StartAsync(owner1);
        var key1Got = await StartAsync(key1);
        var owner2Got = await StartAsync(owner2);
        var feed = factory.Services.GetRequiredService<IncidentFeed>();
        var now = DateTimeOffset.UtcNow;

        feed.Publish(IncidentChangeKind.Opened, TestIncidents.GatewayOutage("inc-other-only", now, ["T-000003", "T-000004"]));   // m-0002
        feed.Publish(IncidentChangeKind.Opened, TestIncidents.GatewayOutage("inc-both", now, ["T-000001", "T-000003", "T-000004"]));
        feed.Publish(IncidentChangeKind.Resolved, TestIncidents.GatewayOutage("inc-other-only", now, ["T-000003", "T-000004"], resolvedAt: now));

        using var timeout = new CancellationTokenSource(Wait);
        foreach (var got in new[] { owner1Got, key1Got })
        {
            var incident = await got.Incidents.Reader.ReadAsync(timeout.Token);
            Assert.Equal("inc-both", incident.Id);
            // Counts name only the viewer's merchant and its own terminal, not the other merchant's two.
            Assert.Equal(new AffectedCounts(1, 1), incident.Affected);
        }
        var seen2 = new List<string>();
        for (var i = 0; i < 3; i++) seen2.Add((await owner2Got.Incidents.Reader.ReadAsync(timeout.Token)).Id);
        Assert.Equal(["inc-other-only", "inc-both", "inc-other-only"], seen2);

        // A marker for m-0001, published after them: the forwarder sends each change in turn and a connection's messages
        // arrive in order, so if either m-0001 connection had been sent one of m-0002's, it would come before the marker.
        feed.Publish(IncidentChangeKind.Opened, TestIncidents.GatewayOutage("inc-marker", now, ["T-000001"]));
        Assert.Equal("inc-marker", (await owner1Got.Incidents.Reader.ReadAsync(timeout.Token)).Id);
        Assert.Equal("inc-marker", (await key1Got.Incidents.Reader.ReadAsync(timeout.Token)).Id);
    }

    [Fact]
    public async Task A_merchant_connection_cannot_switch_to_a_view_that_does_not_exist()
    {
        await factory.SeedAsync();
        await using var owner1 = await OwnerAsync(PortalFactory.Owner1);
        await owner1.StartAsync();

        await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => owner1.InvokeAsync("SubscribeHeatmap", "m-0002"));
    }

    /// <summary>Two minutes two hours back, within the heatmap's window and before anything else the tests post.</summary>
    private static DateTimeOffset[] Markers()
    {
        var at = DateTimeOffset.UtcNow.AddHours(-2);
        at = new DateTimeOffset(at.Ticks - at.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        return [at, at.AddMinutes(1)];
    }

    /// <summary>Reads <paramref name="channel"/> into <paramref name="seen"/> until a cell of <paramref name="row"/> at <paramref name="minute"/> arrives.</summary>
    private static async Task ReadUntilCellAsync(Channel<HeatmapUpdate> channel, List<HeatmapUpdate> seen, string row, DateTimeOffset minute, CancellationToken ct)
    {
        while (true)
        {
            var update = await channel.Reader.ReadAsync(ct);
            seen.Add(update);
            if (update.Cells.Any(c => c.Row == row && c.Minute == minute.UtcDateTime)) return;
        }
    }
}
