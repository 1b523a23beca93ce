using System.Globalization;
using System.Text;

namespace PosMonitor.Web.Tests.Telemetry;

/// <summary>Builds telemetry request bodies by hand, so tests can also send what a serializer would refuse to.</summary>
public static class TelemetryJson
{
    /// <summary>
    /// A unique id in letters only ("prefix-" and 32 letters): a random hex id holds a Luhn-valid run of 13 or more digits
    /// about once in 250 and is then, rightly, discarded as card data, which failed tests about something else at random.
    /// </summary>
    public static string UniqueId(string prefix) =>
        prefix + "-" + string.Concat(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).Select(b => (char)('a' + b % 26)));

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Heartbeat(string eventId, string terminalId, DateTimeOffset at, string firmware = "3.2.1", long uptime = 3600, string printer = "ok") =>
        $$"""
        { "eventId": "{{eventId}}", "terminalId": "{{terminalId}}", "timestamp": "{{Time(at)}}",
          "network": { "type": "wifi", "signalDbm": -60, "latencyMs": 40, "packetLossPct": 0.5 },
          "firmware": "{{firmware}}", "uptimeSec": {{uptime}}, "printer": "{{printer}}", "scanner": "ok", "pendingOffline": 0 }
        """;

    public static string Sale(string eventId, string terminalId, DateTimeOffset at, string outcome = "approved", string? stage = null,
        int latencyMs = 800, string? extra = null) =>
        $$"""
        { "eventId": "{{eventId}}", "terminalId": "{{terminalId}}", "timestamp": "{{Time(at)}}", "outcome": "{{outcome}}",
          {{(stage is null ? "" : $"\"stage\": \"{stage}\",")}} "latencyMs": {{latencyMs}}, "amountMinor": 2500, "currency": "CNY"
          {{(extra is null ? "" : "," + extra)}} }
        """;

    public static string Body(IEnumerable<string>? heartbeats = null, IEnumerable<string>? transactions = null)
    {
        var sb = new StringBuilder("{");
        if (heartbeats is not null) sb.Append("\"heartbeats\": [").AppendJoin(",", heartbeats).Append(']');
        if (heartbeats is not null && transactions is not null) sb.Append(',');
        if (transactions is not null) sb.Append("\"transactions\": [").AppendJoin(",", transactions).Append(']');
        return sb.Append('}').ToString();
    }

    public static StringContent Content(string body) => new(body, Encoding.UTF8, "application/json");
}
