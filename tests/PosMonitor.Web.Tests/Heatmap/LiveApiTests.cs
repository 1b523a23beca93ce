using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Tests.Infrastructure;
using PosMonitor.Web.Tests.Telemetry;

namespace PosMonitor.Web.Tests.Heatmap;

/// <summary>GET /api/v1/heatmap and the /hubs/live hub, through the real host.</summary>
public class LiveApiTests(PosMonitorFactory factory) : IClassFixture<PosMonitorFactory>, IAsyncLifetime
{
    // Ids without long digit runs: 13+ digits (even across separators) would be rejected as card data.
    private static long _events;

    public async ValueTask InitializeAsync() => await factory.PutFleetAsync(TestFleet.Small());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task PostSalesAsync(string terminalId, int sales, int timeouts, DateTimeOffset? at = null)
    {
        var now = at ?? DateTimeOffset.UtcNow;
        var body = TelemetryJson.Body(transactions: Enumerable.Range(0, sales).Select(i =>
            TelemetryJson.Sale($"live{Interlocked.Increment(ref _events)}x", terminalId, now, i < timeouts ? "timeout" : "approved", i < timeouts ? "gateway" : null)));
        var response = await factory.AdminClient().PostAsync("/api/v1/telemetry", TelemetryJson.Content(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private HubConnection Connect(string? key) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(factory.Server.BaseAddress, "/hubs/live"), o =>
            {
                o.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                if (key is not null) o.Headers["X-Api-Key"] = key;
            })
            .Build();

    [Theory]
    [InlineData("by=street")]
    [InlineData("by=Region")]
    [InlineData("minutes=0")]
    [InlineData("minutes=241")]
    [InlineData("minutes=ten")]
    public async Task Bad_parameters_are_400_problem_json(string query)
    {
        var response = await factory.AdminClient().GetAsync($"/api/v1/heatmap?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_merchant_read_key_gets_only_its_merchants_cells_and_ingest_keys_none()
    {
        await PostSalesAsync("T-000001", 6, 1);   // m-0001
        await PostSalesAsync("T-000003", 9, 3);   // m-0002
        var lotus = factory.CreateClient(await factory.CreateKeyAsync("read:merchant", "m-0001"));
        var platform = factory.CreateClient(await factory.CreateKeyAsync("read:platform"));
        var ingest = factory.CreateClient(await factory.CreateKeyAsync("ingest:platform"));

        var own = await lotus.GetFromJsonAsync<HeatmapResponse>("/api/v1/heatmap?by=merchant&minutes=15");
        var all = await platform.GetFromJsonAsync<HeatmapResponse>("/api/v1/heatmap?by=merchant&minutes=15");

        Assert.Equal(["m-0001"], own!.Cells.Select(c => c.Row).Distinct());
        Assert.Contains(all!.Cells, c => c.Row == "m-0002" && c.Transactions >= 9);
        Assert.Equal(HttpStatusCode.Forbidden, (await ingest.GetAsync("/api/v1/heatmap")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/api/v1/heatmap")).StatusCode);
    }

    [Fact]
    public async Task Hub_pushes_coalesced_region_cells_and_a_merchant_connection_sees_only_its_own_rows()
    {
        factory.CreateClient();
        var platformUpdates = Channel.CreateUnbounded<HeatmapUpdate>();
        var lotusUpdates = Channel.CreateUnbounded<HeatmapUpdate>();
        await using var platform = Connect(await factory.CreateKeyAsync("read:platform"));
        await using var lotus = Connect(await factory.CreateKeyAsync("read:merchant", "m-0001"));
        platform.On<HeatmapUpdate>("HeatmapUpdated", u => platformUpdates.Writer.TryWrite(u));
        lotus.On<HeatmapUpdate>("HeatmapUpdated", u => lotusUpdates.Writer.TryWrite(u));
        await platform.StartAsync();
        await lotus.StartAsync();
        await lotus.InvokeAsync("SubscribeHeatmap", "merchant");
        // A flush between its connecting and the switch reached it in the view it connected in (its own rows by region):
        // those came before the switch's completion, which a connection receives in order, so they are all here now.
        while (lotusUpdates.Reader.TryRead(out _)) { }

        for (var i = 0; i < 10; i++) await PostSalesAsync("T-000003", 1, 0);   // m-0002 only, ten batches
        await PostSalesAsync("T-000001", 2, 1);                                 // m-0001

        // Then two markers, a sale of m-0001 in a minute long past that nothing else touches, the second posted once the
        // first has arrived: the second comes in a later flush than all eleven batches (the writer and the flushes keep
        // their order), and a connection's messages arrive in order, so everything the batches caused arrived before it.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var at = DateTimeOffset.UtcNow.AddHours(-2);
        at = new DateTimeOffset(at.Ticks - at.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        DateTimeOffset[] markers = [at, at.AddMinutes(1)];
        var (regions, mine) = (new List<HeatmapUpdate>(), new List<HeatmapUpdate>());
        foreach (var marker in markers)
        {
            await PostSalesAsync("T-000001", 1, 0, marker);
            await ReadUntilMinuteAsync(platformUpdates, regions, marker, timeout.Token);
            await ReadUntilMinuteAsync(lotusUpdates, mine, marker, timeout.Token);
        }
        Assert.All(regions, u => Assert.Equal("region", u.By));
        Assert.All(mine, u => Assert.Equal("merchant", u.By));
        Assert.All(mine.SelectMany(u => u.Cells), c => Assert.Equal("m-0001", c.Row));
        Assert.Contains(mine.SelectMany(u => u.Cells), c => c.Minute > markers[1].UtcDateTime);
        // Ten batches within one flush interval reach the client as few messages, not one per batch.
        var platformMessages = regions.Count(u => u.Cells.Any(c => c.Minute > markers[1].UtcDateTime));
        Assert.InRange(platformMessages, 1, 10);
    }

    /// <summary>Reads <paramref name="channel"/> into <paramref name="seen"/> until a cell of <paramref name="minute"/> arrives.</summary>
    private static async Task ReadUntilMinuteAsync(Channel<HeatmapUpdate> channel, List<HeatmapUpdate> seen, DateTimeOffset minute, CancellationToken ct)
    {
        while (true)
        {
            var update = await channel.Reader.ReadAsync(ct);
            seen.Add(update);
            if (update.Cells.Any(c => c.Minute == minute.UtcDateTime)) return;
        }
    }

    [Fact]
    public async Task Hub_refuses_a_connection_without_a_key_and_an_unknown_view()
    {
        factory.CreateClient();
        await using var anonymous = Connect(null);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.StartAsync());

        await using var display = Connect(await factory.CreateKeyAsync("display"));
        await display.StartAsync();
        await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => display.InvokeAsync("SubscribeHeatmap", "street"));
    }
}
