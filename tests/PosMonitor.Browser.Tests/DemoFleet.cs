using System.Globalization;
using System.Net.Http.Json;

namespace PosMonitor.Browser.Tests;

/// <summary>
/// A small, believable fleet and an hour of history for the browser tests and their screenshots:
/// four regions, ten merchants, thirty terminals; one merchant in trouble for the last twenty
/// minutes, one with too little traffic for a rate. Deterministic (fixed seed).
/// </summary>
public static class DemoFleet
{
    public static readonly (string Id, string Name)[] Regions = [("east", "East China"), ("north", "North China"), ("south", "South China"), ("west", "West China")];
    public static readonly string[] Gateways = ["gw-unionpay", "gw-alipay", "gw-wechat"];
    public static readonly (string Id, string Name, string Region)[] Merchants =
    [
        ("m-0001", "Lotus Noodle House", "east"), ("m-0002", "Harbin Bakery", "north"), ("m-0003", "Pearl Tea Bar", "south"),
        ("m-0004", "Canton Dim Sum", "south"), ("m-0005", "Golden Dragon Mart", "east"), ("m-0006", "Silk Road Books", "west"),
        ("m-0007", "Jade Pharmacy", "north"), ("m-0008", "Bamboo Garden", "east"), ("m-0009", "Sichuan Spice", "west"),
        ("m-0010", "Night Market Snacks", "south"),
    ];
    /// <summary>Times out at the gateway for the last twenty minutes.</summary>
    public const string TroubledMerchant = "m-0004";
    /// <summary>A sale every few minutes only: its cells are "too little traffic".</summary>
    public const string QuietMerchant = "m-0006";

    public static IEnumerable<(string Terminal, string Merchant, string Region, string Firmware)> Terminals() =>
        Merchants.SelectMany((m, mi) => Enumerable.Range(1, 3).Select(i => ($"T-{m.Id[2..]}-{i}", m.Id, m.Region, FirmwareOf(mi))));

    private static string FirmwareOf(int merchantIndex) => merchantIndex % 3 == 0 ? "3.3.0" : "3.2.1";

    public static object Document() => new
    {
        regions = Regions.Select(r => new { id = r.Id, name = r.Name }),
        gateways = Gateways.Select(g => new { id = g, name = g switch { "gw-unionpay" => "UnionPay", "gw-alipay" => "Alipay", _ => "WeChat Pay" } }),
        merchants = Merchants.Select((m, mi) => new
        {
            id = m.Id, name = m.Name, region = m.Region, timeZone = "Asia/Shanghai",
            terminals = Enumerable.Range(1, 3).Select(i => new
            {
                id = $"T-{m.Id[2..]}-{i}", gateway = Gateways[(mi + i) % Gateways.Length], model = i == 3 ? "P2" : "A920",
                firmware = FirmwareOf(mi), store = $"Store {i}",
            }),
        }),
    };

    public static async Task LoadAsync(HttpClient admin, DateTimeOffset now)
    {
        (await admin.PutAsJsonAsync("/api/v1/fleet", Document())).EnsureSuccessStatusCode();
        var random = new Random(42);
        var heartbeats = new List<object>();
        var transactions = new List<object>();
        var start = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-60);
        foreach (var (terminal, merchant, _, firmware) in Terminals())
            for (var minute = 0; minute < 60; minute++)
            {
                var at = start.AddMinutes(minute);
                var reported = Reported(terminal, firmware, afterRollout: minute >= 30);
                if (minute % 2 == 0) heartbeats.Add(Heartbeat(terminal, at.AddSeconds(random.Next(60)), random, reported));
                var sales = merchant == QuietMerchant ? (random.Next(4) == 0 ? 1 : 0) : random.Next(1, 5);
                var troubled = merchant == TroubledMerchant && minute >= 40;
                for (var s = 0; s < sales; s++)
                {
                    var timeout = random.NextDouble() < (troubled ? 0.35 : 0.01);
                    transactions.Add(Transaction(terminal, at.AddSeconds(random.Next(60)), timeout, timeout ? "gateway" : null));
                }
            }
        foreach (var chunk in heartbeats.Chunk(2000)) await PostAsync(admin, chunk, []);
        foreach (var chunk in transactions.Chunk(2000)) await PostAsync(admin, [], chunk);
    }

    /// <summary>Half an hour into the hour of history a rollout of 3.3.1 reached every terminal numbered 1.</summary>
    public static string Reported(string terminal, string firmware, bool afterRollout) =>
        afterRollout && terminal.EndsWith("-1", StringComparison.Ordinal) ? "3.3.1" : firmware;

    /// <summary>A heartbeat from every terminal now, as a live fleet keeps sending them; printers ok unless <paramref name="printers"/> says otherwise.</summary>
    public static object[] HeartbeatsNow(Random random, IReadOnlyDictionary<string, string>? printers = null)
    {
        var now = DateTimeOffset.UtcNow;
        return [.. Terminals().Select(t => Heartbeat(t.Terminal, now, random, Reported(t.Terminal, t.Firmware, afterRollout: true),
            printers?.GetValueOrDefault(t.Terminal) ?? "ok"))];
    }

    public static async Task PostAsync(HttpClient client, object[] heartbeats, object[] transactions)
    {
        var response = await client.PostAsJsonAsync("/api/v1/telemetry", new { heartbeats, transactions });
        if ((int)response.StatusCode != 202)
            throw new InvalidOperationException($"telemetry: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static object Transaction(string terminal, DateTimeOffset at, bool timeout, string? stage = null) => timeout
        ? new { eventId = EventId(), terminalId = terminal, timestamp = Time(at), outcome = "timeout", stage = stage ?? "gateway", latencyMs = 30000 }
        : (object)new { eventId = EventId(), terminalId = terminal, timestamp = Time(at), outcome = "approved", latencyMs = 900, amountMinor = Ticket(), currency = "CNY" };

    /// <summary>A sale's amount, 25.00–151.00 CNY: the incident page values failed sales at a terminal's average ticket.</summary>
    private static int Ticket() => 2500 + (int)(Interlocked.Read(ref _events) % 37) * 350;

    public static object Heartbeat(string terminal, DateTimeOffset at, Random random, string firmware = "3.2.1", string printer = "ok") => new
    {
        eventId = EventId(), terminalId = terminal, timestamp = Time(at),
        network = new { type = "wifi", signalDbm = -50 - random.Next(30), latencyMs = 30 + random.Next(60), packetLossPct = Math.Round(random.NextDouble() * 2, 1) },
        firmware, uptimeSec = 3600 + (int)(at.ToUnixTimeSeconds() % 100000), batteryPct = 80, cpuPct = 20 + random.Next(40), memoryPct = 30 + random.Next(30),
        printer, scanner = "ok", pendingOffline = 0,
    };

    private static long _events;

    /// <summary>A counter and letters: never 13 digits in a row (even across separators), which the server would take for card data.</summary>
    private static string EventId() =>
        $"e{Interlocked.Increment(ref _events)}x{string.Concat(Guid.NewGuid().ToByteArray().Take(8).Select(b => (char)('a' + b % 26)))}";

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
