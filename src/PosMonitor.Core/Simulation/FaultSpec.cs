using System.Globalization;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Simulation;

/// <summary>What breaks in a <c>hardware</c> fault.</summary>
public enum DeviceFault { PrinterJam, PaperOut, PrinterOffline, PrinterError, Scanner, Cpu, Memory }

/// <summary>
/// One injected fault, parsed from the <c>--fault</c> syntax. Every cause of src/PosMonitor.Core/Detection/timeout-causes.md is
/// injected at the scope where it concentrates:
/// <code>
/// fault    = cause [":" scope] *(":" param)
/// cause    = network | server | gateway | software | hardware | third_party | operator
/// scope    = "platform" | kind "=" target | target        ; a bare target takes the cause's own kind
/// kind     = terminal | merchant | region | gateway | firmware
/// target   = id *("," id) | "random" ["*" count] | "quiet" ; random: picked by the seed among busy scopes;
///                                                          ; quiet: one where an operator fault fails only a few sales
/// param    = N "%"                 ; intensity: share of the scope's sales that fail
///          | DURATION | "for=" DURATION                   ; how long (90s, 15m, 1h30m)
///          | "at=" DURATION | "at=" UTC-TIME              ; start: offset into the run, or a time
///          | cause-specific key=value or flag (see <see cref="Grammar"/>)
/// </code>
/// Examples: <c>gateway:gw-unionpay:40%:15m</c>, <c>network:region=east:loss=30%:20m:at=1h</c>,
/// <c>software:firmware=3.3.0:rollout=30m:share=40%:25%</c>, <c>hardware:T-000123:paper_out</c>.
/// </summary>
public sealed record FaultSpec
{
    public required string Text { get; init; }
    public required Cause Cause { get; init; }
    public required ScopeType ScopeType { get; init; }
    /// <summary>The ids named, or empty when <see cref="RandomCount"/> asks the simulator to pick; "platform" for the platform.</summary>
    public required IReadOnlyList<string> ScopeIds { get; init; }
    /// <summary>How many scopes to pick at random (0: the ids are named).</summary>
    public int RandomCount { get; init; }
    /// <summary>Picked among quiet scopes (an operator fault failing a handful of sales over its whole course), not busy ones.</summary>
    public bool Quiet { get; init; }
    /// <summary>Share of the scope's sales that fail (0..1); null takes the cause's default.</summary>
    public double? Intensity { get; init; }
    public TimeSpan? Duration { get; init; }
    /// <summary>Start as an offset from the run's start; null with <see cref="StartAt"/> null means a quarter into the run.</summary>
    public TimeSpan? StartOffset { get; init; }
    public DateTimeOffset? StartAt { get; init; }

    /// <summary>network: packet loss seen on heartbeats, in percent.</summary>
    public double? LossPct { get; init; }
    /// <summary>network: added round trip; server/gateway: added processing time of sales that still succeed.</summary>
    public TimeSpan? ExtraLatency { get; init; }
    /// <summary>network: the terminals drop off completely (no heartbeats, sales queued offline).</summary>
    public bool Offline { get; init; }
    /// <summary>network: only terminals on this kind of link (a carrier outage hits cellular only).</summary>
    public NetworkType? Via { get; init; }
    /// <summary>software: the version is installed over this window from the start (each terminal restarts).</summary>
    public TimeSpan? Rollout { get; init; }
    /// <summary>software: share of the terminals not yet on the version that receive it (0..1).</summary>
    public double? RolloutShare { get; init; }
    /// <summary>hardware: what breaks.</summary>
    public DeviceFault Device { get; init; } = DeviceFault.PrinterJam;

    public double EffectiveIntensity => Offline ? 1.0 : Intensity ?? (LossPct is { } loss ? Math.Min(0.9, loss / 100) : DefaultIntensity(Cause));
    public TimeSpan EffectiveDuration => Duration ?? DefaultDuration(Cause);

    /// <summary>The grammar and every cause's parameters, for <c>--help</c> and error messages.</summary>
    public const string Grammar = """
        --fault CAUSE[:SCOPE][:PARAM...]   (repeatable)
          SCOPE   platform | KIND=ID[,ID...] | KIND=random[*N] | KIND=quiet | ID (the cause's own kind)
          PARAM   N%  share of the scope's sales that fail     DURATION or for=DURATION  (90s, 15m, 1h30m)
                  at=DURATION offset into the run, or at=2026-11-25T08:00:00Z   (default: a quarter into the run)
          network     terminal=|merchant=|region=   loss=N%  latency=800ms  offline  via=wifi|cellular|ethernet
          server      platform                      latency=4s (host time of sales that still succeed)
          gateway     gateway=ID                    latency=5s (gateway time of sales that still succeed)
          software    firmware=VERSION              rollout=30m  share=N% (of the terminals not yet on it)
          hardware    terminal=ID                   jam | paper_out | printer_offline | printer_error | scanner | cpu | memory
          third_party platform | region=ID
          operator    merchant=ID | terminal=ID         (quiet: a shop or till where it fails only a few sales)
        e.g. gateway:gw-unionpay:40%:15m   network:region=east:loss=30%:20m:at=1h   server:25%:10m
             software:firmware=3.3.0:rollout=30m:share=40%:20%   hardware:terminal=random:paper_out
             third_party:region=south:50%:30m   operator:merchant=random:35%:2h
        """;

    private static readonly string[] CauseList = ["network", "server", "gateway", "software", "hardware", "third_party", "operator"];

    public static IReadOnlyList<ScopeType> AllowedScopes(Cause cause) => cause switch
    {
        Cause.Network => [ScopeType.Terminal, ScopeType.Merchant, ScopeType.Region],
        Cause.Server => [ScopeType.Platform],
        Cause.Gateway => [ScopeType.Gateway],
        Cause.Software => [ScopeType.Firmware],
        Cause.Hardware => [ScopeType.Terminal],
        Cause.ThirdParty => [ScopeType.Platform, ScopeType.Region],
        _ => [ScopeType.Merchant, ScopeType.Terminal],
    };

    public static double DefaultIntensity(Cause cause) => cause switch
    {
        Cause.Network => 0.3,
        Cause.Server => 0.25,
        Cause.Gateway => 0.4,
        Cause.Software => 0.2,
        Cause.Hardware => 0.8,
        Cause.ThirdParty => 0.5,
        _ => 0.3,
    };

    public static TimeSpan DefaultDuration(Cause cause) => cause switch
    {
        Cause.Network => TimeSpan.FromMinutes(20),
        Cause.Server or Cause.Gateway => TimeSpan.FromMinutes(15),
        Cause.Software or Cause.Hardware => TimeSpan.FromHours(1),
        Cause.ThirdParty => TimeSpan.FromMinutes(30),
        _ => TimeSpan.FromHours(2),
    };

    public static bool TryParse(string? text, out FaultSpec? spec, out string error)
    {
        try
        {
            spec = Parse(text);
            error = "";
            return true;
        }
        catch (FormatException e)
        {
            spec = null;
            error = e.Message;
            return false;
        }
    }

    /// <exception cref="FormatException">The text does not follow the grammar; the message says where and how.</exception>
    public static FaultSpec Parse(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0) throw Error(trimmed, "is empty; expected CAUSE[:SCOPE][:PARAM...], e.g. gateway:gw-unionpay:40%:15m");
        var parts = trimmed.Split(':');
        if (!Causes.TryParse(parts[0].ToLowerInvariant().Replace('-', '_'), out Cause cause))
            throw Error(trimmed, $"unknown cause '{parts[0]}'; causes are {string.Join(", ", CauseList)}");

        var allowed = AllowedScopes(cause);
        var spec = new FaultSpec { Text = trimmed, Cause = cause, ScopeType = allowed[0], ScopeIds = [] };
        var i = 1;
        // The scope comes first; times and ISO times contain ':' too, so "at=" re-joins what Split cut.
        if (i < parts.Length && LooksLikeScope(parts[i]))
            spec = ParseScope(spec, parts[i++], allowed);
        else if (allowed[0] != ScopeType.Platform)
            throw Error(trimmed, $"needs a scope first: {ScopeHint(cause)}");
        else spec = spec with { ScopeIds = ["platform"] };

        for (; i < parts.Length; i++)
        {
            var p = parts[i].Trim();
            if (p.StartsWith("at=", StringComparison.OrdinalIgnoreCase) && p.Length > 3 && char.IsDigit(p[3]) && p.Contains('T'))
            {
                // An ISO time was cut at its colons: take the pieces back up to the one with the zone.
                var iso = p[3..];
                while (i + 1 < parts.Length && !EndsTime(iso)) iso += ":" + parts[++i];
                p = "at=" + iso;
            }
            spec = ParseParam(spec, p);
        }
        return Check(spec);
    }

    public override string ToString() => Text;

    private static bool LooksLikeScope(string part)
    {
        var p = part.Trim();
        if (p.Length == 0) return false;
        if (p.Equals("platform", StringComparison.OrdinalIgnoreCase)) return true;
        var eq = p.IndexOf('=');
        if (eq > 0) return Causes.TryParse(p[..eq].ToLowerInvariant(), out ScopeType _) || p[..eq].Equals("terminals", StringComparison.OrdinalIgnoreCase);
        // A bare word that is no parameter is a target of the cause's own kind.
        return !p.EndsWith('%') && !TryDuration(p, out _) && !IsFlag(p);
    }

    private static bool IsFlag(string p) =>
        p.ToLowerInvariant() is "offline" or "jam" or "paper_out" or "printer_offline" or "printer_error" or "scanner" or "cpu" or "memory";

    private static FaultSpec ParseScope(FaultSpec spec, string part, IReadOnlyList<ScopeType> allowed)
    {
        var p = part.Trim();
        ScopeType kind;
        string target;
        if (p.Equals("platform", StringComparison.OrdinalIgnoreCase))
        {
            kind = ScopeType.Platform;
            target = "platform";
        }
        else if (p.IndexOf('=') is var eq and > 0)
        {
            var kindText = p[..eq].ToLowerInvariant();
            if (kindText == "terminals") kindText = "terminal";
            Causes.TryParse(kindText, out kind);
            target = p[(eq + 1)..].Trim();
        }
        else
        {
            if (allowed.Count > 1 && allowed[0] != ScopeType.Platform)
                throw Error(spec.Text, $"'{p}' could be any of {Names(allowed)}; say which: {ScopeHint(spec.Cause)}");
            kind = allowed.First(a => a != ScopeType.Platform);
            target = p;
        }
        if (!allowed.Contains(kind))
            throw Error(spec.Text, $"a {Causes.Name(spec.Cause)} fault concentrates on {Names(allowed)}, not on a {Causes.Name(kind)} (timeout-causes.md); use {ScopeHint(spec.Cause)}");
        if (kind == ScopeType.Platform) return spec with { ScopeType = kind, ScopeIds = ["platform"] };
        if (target.Length == 0) throw Error(spec.Text, $"scope '{p}' names no {Causes.Name(kind)}");

        if (target.Equals("quiet", StringComparison.OrdinalIgnoreCase))
        {
            if (spec.Cause != Cause.Operator) throw Error(spec.Text, "quiet picks a shop or till for an operator fault; use random for other causes");
            return spec with { ScopeType = kind, ScopeIds = [], RandomCount = 1, Quiet = true };
        }
        if (target.StartsWith("random", StringComparison.OrdinalIgnoreCase))
        {
            var count = 1;
            var rest = target[6..];
            if (rest.Length > 0 && (!rest.StartsWith('*') || !int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > 100))
                throw Error(spec.Text, $"'{target}' should be random or random*N with N from 1 to 100");
            if (kind == ScopeType.Firmware) throw Error(spec.Text, "name the firmware version: software:firmware=VERSION");
            return spec with { ScopeType = kind, ScopeIds = [], RandomCount = count };
        }
        var ids = target.Split(',', StringSplitOptions.TrimEntries);
        foreach (var id in ids)
            if (!Identifier.IsValid(id)) throw Error(spec.Text, $"'{id}' is not a valid {Causes.Name(kind)} id (1-64 characters from A-Z a-z 0-9 . _ : -)");
        if (ids.Length > 1 && kind is not (ScopeType.Terminal or ScopeType.Merchant))
            throw Error(spec.Text, $"one {Causes.Name(kind)} per fault; repeat --fault for another");
        return spec with { ScopeType = kind, ScopeIds = ids.Distinct(StringComparer.Ordinal).ToArray() };
    }

    private static FaultSpec ParseParam(FaultSpec spec, string p)
    {
        var text = spec.Text;
        if (p.Length == 0) throw Error(text, "has an empty part (two colons in a row?)");
        var lower = p.ToLowerInvariant();
        if (lower.EndsWith('%') && !lower.Contains('='))
        {
            if (spec.Intensity is not null) throw Error(text, "gives the intensity (N%) twice");
            return spec with { Intensity = Percent(text, p) / 100 };
        }
        if (TryDuration(lower, out var bare))
            return spec with { Duration = Once(text, spec.Duration, "duration", Positive(text, p, bare)) };

        var eq = lower.IndexOf('=');
        var key = eq < 0 ? lower : lower[..eq];
        var value = eq < 0 ? "" : p[(eq + 1)..].Trim();
        switch (key)
        {
            case "for":
                return spec with { Duration = Once(text, spec.Duration, "duration", Positive(text, value, DurationOf(text, value))) };
            case "at":
                if (spec.StartOffset is not null || spec.StartAt is not null) throw Error(text, "gives the start (at=) twice");
                if (TryDuration(value.ToLowerInvariant(), out var offset)) return spec with { StartOffset = offset };
                if (DateTimeOffset.TryParseExact(value, ["yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.fffZ", "yyyy-MM-ddTHH:mmZ"],
                        CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                    return spec with { StartAt = at.ToUniversalTime() };
                throw Error(text, $"at='{value}' is neither an offset such as 30m or 1h30m nor a UTC time such as 2026-11-25T08:00:00Z");
        }

        switch (spec.Cause, key)
        {
            case (Cause.Network, "loss"):
                if (spec.Offline) throw Error(text, "offline and loss= exclude each other: offline is total loss");
                return spec with { LossPct = Percent(text, value.EndsWith('%') ? value : value + "%") };
            case (Cause.Network or Cause.Server or Cause.Gateway, "latency"):
                return spec with { ExtraLatency = Positive(text, value, DurationOf(text, value)) };
            case (Cause.Network, "offline") when eq < 0:
                if (spec.LossPct is not null) throw Error(text, "offline and loss= exclude each other: offline is total loss");
                return spec with { Offline = true };
            case (Cause.Network, "via"):
                return Wire.TryParse(value.ToLowerInvariant(), out NetworkType via)
                    ? spec with { Via = via }
                    : throw Error(text, $"via='{value}' is not a link type; use {Wire.Choices<NetworkType>()}");
            case (Cause.Software, "rollout"):
                return spec with { Rollout = Positive(text, value, DurationOf(text, value)) };
            case (Cause.Software, "share"):
                return spec with { RolloutShare = Percent(text, value.EndsWith('%') ? value : value + "%") / 100 };
            case (Cause.Hardware, _) when eq < 0 && DeviceOf(lower) is { } device:
                return spec with { Device = device };
        }
        throw Error(text, $"'{p}' is not a parameter of a {Causes.Name(spec.Cause)} fault; it takes {ParamHint(spec.Cause)}");
    }

    private static FaultSpec Check(FaultSpec spec)
    {
        if (spec.RolloutShare is not null && spec.Rollout is null)
            throw Error(spec.Text, "share= needs rollout=DURATION: it says how much of the fleet the rollout reaches");
        if (spec.Offline && spec.Intensity is not null)
            throw Error(spec.Text, "an offline fault has no intensity: every sale of the scope is cut off");
        return spec;
    }

    private static DeviceFault? DeviceOf(string flag) => flag switch
    {
        "jam" => DeviceFault.PrinterJam,
        "paper_out" => DeviceFault.PaperOut,
        "printer_offline" => DeviceFault.PrinterOffline,
        "printer_error" => DeviceFault.PrinterError,
        "scanner" => DeviceFault.Scanner,
        "cpu" => DeviceFault.Cpu,
        "memory" => DeviceFault.Memory,
        _ => null,
    };

    private static double Percent(string text, string value)
    {
        var number = value.TrimEnd('%');
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var pct) || pct < 0 || pct > 100 || !value.EndsWith('%'))
            throw Error(text, $"'{value}' is not a percentage from 0% to 100%");
        return pct;
    }

    private static TimeSpan DurationOf(string text, string value) =>
        TryDuration(value.ToLowerInvariant(), out var d) ? d : throw Error(text, $"'{value}' is not a duration such as 800ms, 90s, 15m or 1h30m");

    private static TimeSpan Positive(string text, string value, TimeSpan d) =>
        d > TimeSpan.Zero ? d : throw Error(text, $"'{value}' must be longer than zero");

    private static TimeSpan? Once(string text, TimeSpan? existing, string what, TimeSpan value) =>
        existing is null ? value : throw Error(text, $"gives the {what} twice");

    /// <summary>"800ms", "90s", "15m", "2h", "1h30m", "1h30m15s".</summary>
    internal static bool TryDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text.Length == 0) return false;
        if (text.EndsWith("ms", StringComparison.Ordinal))
        {
            if (!int.TryParse(text[..^2], NumberStyles.None, CultureInfo.InvariantCulture, out var ms)) return false;
            duration = TimeSpan.FromMilliseconds(ms);
            return true;
        }
        var i = 0;
        var lastUnit = -1;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == start || i == text.Length || i - start > 6) return false;
            var n = int.Parse(text.AsSpan(start, i - start), CultureInfo.InvariantCulture);
            var unit = "hms".IndexOf(text[i++]);
            if (unit <= lastUnit) return false;
            lastUnit = unit;
            duration += unit switch { 0 => TimeSpan.FromHours(n), 1 => TimeSpan.FromMinutes(n), _ => TimeSpan.FromSeconds(n) };
        }
        return true;
    }

    private static bool EndsTime(string iso) => iso.EndsWith('Z') || iso.EndsWith('z');

    private static string Names(IReadOnlyList<ScopeType> scopes) =>
        string.Join(" or ", scopes.Select(s => s == ScopeType.Platform ? "the whole platform" : "one " + Causes.Name(s)));

    private static string ScopeHint(Cause cause) => cause switch
    {
        Cause.Network => "network:region=ID, network:merchant=ID or network:terminal=ID",
        Cause.Server => "server:platform",
        Cause.Gateway => "gateway:GATEWAY_ID",
        Cause.Software => "software:firmware=VERSION",
        Cause.Hardware => "hardware:terminal=ID",
        Cause.ThirdParty => "third_party:platform or third_party:region=ID",
        _ => "operator:merchant=ID or operator:terminal=ID",
    };

    private static string ParamHint(Cause cause) => "N%, a duration (15m), for=, at=" + cause switch
    {
        Cause.Network => ", loss=N%, latency=DURATION, offline, via=wifi|cellular|ethernet",
        Cause.Server or Cause.Gateway => ", latency=DURATION",
        Cause.Software => ", rollout=DURATION, share=N%",
        Cause.Hardware => ", and one of jam, paper_out, printer_offline, printer_error, scanner, cpu, memory",
        _ => "",
    };

    private static FormatException Error(string text, string message) => new($"fault '{text}': {message}");
}
