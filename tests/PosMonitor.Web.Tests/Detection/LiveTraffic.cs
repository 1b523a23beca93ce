using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Core.Fleet;
using PosMonitor.Web.Tests.Infrastructure;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Detection;

/// <summary>The portal on a fake clock, with the scheduled detection job off: tests run detection by hand, tick by tick.</summary>
public class DetectionFactory : PosMonitorFactory
{
    public static readonly DateTimeOffset Monday9Utc = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Monday9Utc);

    /// <summary>Settings on top of the test defaults (detection job off, 5-minute warm-up).</summary>
    public Dictionary<string, string?> Extra { get; } = [];

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        new Dictionary<string, string?>
        {
            ["PosMonitor:Detection:Enabled"] = "false",
            ["PosMonitor:Detection:WarmUp"] = "00:05:00",
            // Rollups follow commits within milliseconds, so a test waits briefly before each detection run.
            ["PosMonitor:Ingestion:RollupFlushMilliseconds"] = "5",
        }.Concat(Extra);

    /// <summary>Waits until every committed event is folded into the rollups detection reads (the writer flushes them behind commits).</summary>
    public async Task RollupsCaughtUpAsync()
    {
        await using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        await Poll.UntilAsync(async () =>
        {
            var committed = await Dapper.SqlMapper.ExecuteScalarAsync<long?>(db,
                "SELECT MAX(r) FROM (SELECT MAX(received_at) AS r FROM heartbeats UNION ALL SELECT MAX(received_at) FROM transactions)") ?? 0;
            var folded = await Dapper.SqlMapper.ExecuteScalarAsync<long>(db, "SELECT received_at FROM rollup_watermark WHERE id = 1");
            return folded >= committed;
        }, "the rollups caught up with the committed events");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}

/// <param name="At">When the event happened.</param>
/// <param name="Json">The event as src/PosMonitor.Web/Features/Telemetry/telemetry-api.md writes it, plus "type" (the API ignores it; the replay needs it).</param>
public sealed record TestEvent(DateTimeOffset At, bool IsHeartbeat, string Json);

/// <summary>
/// Deterministic traffic for a small fleet: a heartbeat a minute and about <see cref="SalesPerMinute"/>
/// sales per terminal, a low background of failures, and a <see cref="Fault"/> hook.
/// </summary>
public sealed class LiveTraffic(int seed = 5)
{
    private readonly Random _random = new(seed);
    private int _next;

    public double SalesPerMinute { get; set; } = 4;

    /// <summary>For a terminal (id, gateway) at a time: the outcome and stage of a failing sale, and the share that fail.</summary>
    public Func<string, string, DateTimeOffset, (double Rate, string Outcome, string Stage)?>? Fault { get; set; }

    /// <summary>Four merchants in each of three regions, three terminals each; merchant n pays through gw-{a,b,c}[n % 3].</summary>
    public static FleetDocument Fleet()
    {
        string[] regions = ["north", "east", "south"];
        string[] gateways = ["gw-a", "gw-b", "gw-c"];
        var merchants = new List<MerchantDto>();
        var n = 0;
        foreach (var r in regions)
            for (var i = 1; i <= 4; i++, n++)
                merchants.Add(new MerchantDto
                {
                    Id = $"m-{r}-{i}", Name = $"Shop {r} {i}", Region = r, TimeZone = "UTC",
                    Terminals = Enumerable.Range(1, 3).Select(j => new TerminalDto
                    {
                        Id = $"T-{r}-{i}-{j}", Gateway = gateways[n % 3], Model = "A920", Firmware = "1.0.0",
                    }).ToList(),
                });
        return new FleetDocument
        {
            Regions = regions.Select(r => new RegionDto { Id = r, Name = r }).ToList(),
            Gateways = gateways.Select(g => new GatewayDto { Id = g, Name = g }).ToList(),
            Merchants = merchants,
        };
    }

    /// <summary>Every event of the minutes in [from, to), sorted by time.</summary>
    public List<TestEvent> Generate(FleetDocument fleet, DateTimeOffset from, DateTimeOffset to)
    {
        var events = new List<TestEvent>();
        for (var minute = from; minute < to; minute += TimeSpan.FromMinutes(1))
            foreach (var m in fleet.Merchants!)
                foreach (var t in m.Terminals!)
                {
                    var phase = t.Id!.Sum(c => c) % 50 + 5;
                    var at = minute.AddSeconds(phase);
                    var hb = Heartbeat($"hb-{_next++}", t.Id!, at, firmware: "1.0.0", uptime: (long)(at - from).TotalSeconds + 3600);
                    events.Add(new TestEvent(at, true, WithType(hb, "heartbeat")));
                    var sales = Poisson(SalesPerMinute);
                    var fault = Fault?.Invoke(t.Id!, t.Gateway!, minute);
                    for (var i = 0; i < sales; i++)
                    {
                        var saleAt = minute.AddMilliseconds(_random.Next(0, 60_000));
                        var (outcome, stage) = fault is { } f && _random.NextDouble() < f.Rate ? (f.Outcome, f.Stage)
                            : _random.NextDouble() < 0.004 ? ("timeout", "connect") : ("approved", (string?)null);
                        var sale = Sale($"tx-{_next++}", t.Id!, saleAt, outcome, stage, latencyMs: outcome == "timeout" ? 30_000 : 900);
                        events.Add(new TestEvent(saleAt, false, WithType(sale, "transaction")));
                    }
                }
        return events.OrderBy(e => e.At).ThenBy(e => e.Json, StringComparer.Ordinal).ToList();
    }

    public static string Line(TestEvent e) => e.Json.ReplaceLineEndings(" ");

    public static string WithType(string json, string type) =>
        "{ \"type\": \"" + type + "\", " + json.TrimStart()[1..];

    private int Poisson(double lambda)
    {
        var l = Math.Exp(-lambda);
        var k = 0;
        var p = 1.0;
        do { k++; p *= _random.NextDouble(); } while (p > l);
        return k - 1;
    }

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
