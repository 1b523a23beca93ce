using System.Globalization;
using System.Text.RegularExpressions;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Detection;

/// <summary>
/// One shape of evidence line: a key, its English with numbered holes (<c>{0}</c>, <c>{1}</c>, …) and a reader for it.
/// Incidents store and send evidence in English (the wire's language, src/PosMonitor.Core/Replay/replay.md); the portal says each line again in
/// its reader's language by key, with the same holes. A hole may hold another phrase (a restart's reason, a device's
/// state), said in turn. A line of no known shape is shown as it is.
/// </summary>
public sealed class EvidencePhrase
{
    // Declared first: the phrases below add themselves in order, and a line is read by the first that fits (so a
    // phrase that another one's holes could swallow comes before it).
    private static readonly List<EvidencePhrase> Catalogue = [];

    private readonly Regex _reader;

    private EvidencePhrase(string key, string english)
    {
        Key = key;
        English = english;
        var pattern = Regex.Replace(Regex.Escape(english), @"\\\{\d+}", "(.*?)");
        _reader = new Regex("^" + pattern + @"\z", RegexOptions.CultureInvariant | RegexOptions.Singleline);
        Catalogue.Add(this);
    }

    public static IReadOnlyList<EvidencePhrase> All => Catalogue;

    public string Key { get; }
    public string English { get; }

    public string Write(params object[] holes) => string.Format(CultureInfo.InvariantCulture, English, holes);

    /// <summary>The phrase a line was written with, and what fills its holes; null for a line of no known shape.</summary>
    public static (EvidencePhrase Phrase, string[] Holes)? Read(string line)
    {
        foreach (var p in Catalogue)
        {
            var m = p._reader.Match(line);
            if (m.Success) return (p, [.. m.Groups.Cast<Group>().Skip(1).Select(g => g.Value)]);
        }
        return null;
    }

    /// <summary>"gateway stage failures 38% (412 of 1,078 sales, last 3 min) vs normal 0.4%": rate, failures, volume, minutes, normal.</summary>
    internal static EvidencePhrase Rate(Signal s) => RateLines[(int)s];

    private static readonly EvidencePhrase[] RateLines = [.. Signals.All.Select(s => new EvidencePhrase($"rate.{s}",
        $"{Signals.Describe(s)} {{0}} ({{1}} of {{2}} {(Signals.PerHeartbeatMinute(s) ? "heartbeat minutes" : "sales")}, last {{3}} min) vs normal {{4}}"))];

    public static readonly EvidencePhrase PlatformSpread = new("platform-spread", "elevated on {0} of {1} gateways and {2} of {3} regions: not one gateway or region");
    /// <summary>"other regions 0.4% (2,046 sales)": the rest of a wide scope's level, its rate and volume.</summary>
    internal static EvidencePhrase Others(ScopeType type, Signal s) => OtherScopes[(type, Signals.PerHeartbeatMinute(s))];

    private static readonly Dictionary<(ScopeType, bool), EvidencePhrase> OtherScopes = new()
    {
        [(ScopeType.Region, false)] = new("others.region", "other regions {0} ({1} sales)"),
        [(ScopeType.Region, true)] = new("others.region.heartbeats", "other regions {0} ({1} heartbeat minutes)"),
        [(ScopeType.Gateway, false)] = new("others.gateway", "other gateways {0} ({1} sales)"),
        [(ScopeType.Gateway, true)] = new("others.gateway.heartbeats", "other gateways {0} ({1} heartbeat minutes)"),
        [(ScopeType.Firmware, false)] = new("others.firmware", "other firmware versions {0} ({1} sales)"),
        [(ScopeType.Firmware, true)] = new("others.firmware.heartbeats", "other firmware versions {0} ({1} heartbeat minutes)"),
    };
    public static readonly EvidencePhrase SpreadOnGateways = new("spread.gateways", "spread over {0} merchants on {1} gateways");
    public static readonly EvidencePhrase SpreadInRegions = new("spread.regions", "spread over {0} merchants in {1} regions");
    public static readonly EvidencePhrase RolloutFrom = new("rollout.from", "rollout: {0} reached {1} terminals since {2} (from {3})");
    public static readonly EvidencePhrase Rollout = new("rollout", "rollout: {0} reached {1} terminals since {2}");
    public static readonly EvidencePhrase TerminalsAffected = new("affected", "{0} of {1} terminals affected, not one terminal");
    public static readonly EvidencePhrase OthersNormal = new("others-normal", "other terminals of merchant {0} normal");
    public static readonly EvidencePhrase DeviceReported = new("device-reported", "{0} reported by the terminal's heartbeat at {1}");
    /// <summary>A device state that outlasted <see cref="DetectionSettings.DevicePersistence"/>: the state, since when, for how long.</summary>
    public static readonly EvidencePhrase DevicePersisted = new("device-persisted", "{0} reported by the terminal's heartbeats since {1} ({2} min): longer than a routine fix takes");
    public static readonly EvidencePhrase RegionSilent = new("silent.region", "{0} of {1} reporting terminals of {2} merchants silent for over {3} s while open");
    public static readonly EvidencePhrase OtherRegionsSilent = new("silent.other-regions", "other regions: {0} of {1} silent");
    /// <summary>The last hole is empty, or the merchant's opening hours and time zone in brackets.</summary>
    public static readonly EvidencePhrase MerchantSilent = new("silent.merchant", "{0} of {1} reporting terminals silent for over {2} s while the merchant is open{3}");
    public static readonly EvidencePhrase LastSeen = new("last-seen", "last seen {0}");
    public static readonly EvidencePhrase TerminalSilent = new("silent.terminal", "no heartbeat or sale since {0} ({1} min) while merchant {2} is open");
    public static readonly EvidencePhrase OthersReporting = new("merchant.others-reporting", "other terminals of the merchant still reporting");
    public static readonly EvidencePhrase OnlyOneToday = new("merchant.only-today", "the merchant's only terminal reporting today");
    public static readonly EvidencePhrase OnlyOne = new("merchant.only", "the merchant's only terminal");
    public static readonly EvidencePhrase NotARestart = new("not-restart", "no firmware rollout under way and no app failures on it or its firmware: not a restart");
    /// <summary>The last hole is the reason it might have been restarting (one of the restart phrases).</summary>
    public static readonly EvidencePhrase OutlastedRestart = new("restart-outlasted", "quiet longer than a restart takes at its heartbeat interval ({0} s), two minutes and two intervals ({1})");
    public static readonly EvidencePhrase RestartRollout = new("restart.rollout", "rollout to {0} under way (last install reported {1})");
    public static readonly EvidencePhrase RestartCrashingFirmware = new("restart.crashing-firmware", "app failures on firmware {0}");
    public static readonly EvidencePhrase RestartOwnCrash = new("restart.own-crash", "an app failure on the terminal just before it fell quiet");
    public static readonly EvidencePhrase RestartWave = new("restart.wave", "terminals of {0} other merchants went quiet within a restart's time too (a rollout starting?)");
    /// <summary>Holes: the incident it was grouped under, that incident's scope type (wire name) and id.</summary>
    public static readonly EvidencePhrase GroupedUnder = new("grouped", "grouped under {0} ({1} {2})");
    /// <summary>An incident an agent opened; the hole is who.</summary>
    public static readonly EvidencePhrase OpenedByHand = new("by-hand", "Opened by hand by {0}");
    /// <summary>
    /// A device's state, "printer paper_out": the hole of a <see cref="DeviceReported"/> line, and what a device title
    /// (<see cref="IncidentTitle"/>) says after its scope. Every printer state but ok and absent, and a scanner error.
    /// </summary>
    public static readonly IReadOnlyList<EvidencePhrase> DeviceStates =
    [
        .. Enum.GetValues<PrinterStatus>().Where(p => p is not (PrinterStatus.Ok or PrinterStatus.Absent))
            .Select(p => new EvidencePhrase($"device.printer.{Wire.Name(p)}", $"printer {Wire.Name(p)}")),
        new("device.scanner.error", "scanner error"),
    ];
}
