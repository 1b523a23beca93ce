using System.CommandLine;
using System.Globalization;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Cli.Simulation;

/// <summary>
/// <c>posmonitor simulate</c>: generates a fleet and its telemetry with injected faults, and either
/// writes the replay files (<c>--out DIR</c>) or sends them to a server (<c>--server URL --api-key KEY</c>).
/// The background of an ordinary estate is on unless <c>--background none</c>. Prints the ground truth of what
/// it injected either way.
/// </summary>
public static class SimulateCommand
{
    public static Command Create(TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        var terminals = new Option<int>("--terminals") { Description = "Terminals in the generated fleet", DefaultValueFactory = _ => 1000 };
        var hours = new Option<double>("--hours") { Description = "Length of the simulated span in hours", DefaultValueFactory = _ => 6 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed, start and options give the same fleet and events", DefaultValueFactory = _ => 42 };
        var start = new Option<string?>("--start")
        {
            Description = "UTC start, e.g. 2026-11-25T00:00:00Z (default: today 00:00Z for --out; now for --speed realtime; else now minus --hours)",
        };
        var faults = new Option<string[]>("--fault")
        {
            Description = "A fault to inject, repeatable: CAUSE[:SCOPE][:PARAM...], e.g. gateway:gw-unionpay:40%:15m (grammar above)",
            AllowMultipleArgumentsPerToken = false,
        };
        var decoys = new Option<string>("--decoys")
        {
            Description = $"Decoys that must not open incidents: {string.Join(", ", DecoyNames.All)}, all or none",
            DefaultValueFactory = _ => "none",
        };
        var background = new Option<string>("--background")
        {
            Description = "The estate's background noise: default, none, or NAME=VALUE overrides (grammar above)",
            DefaultValueFactory = _ => "default",
        };
        var output = new Option<string?>("--out") { Description = "Write fleet.json, events.ndjson and ground-truth.json into this directory" };
        var server = new Option<Uri?>("--server")
        {
            Description = "Send to this PosMonitor server instead, e.g. http://127.0.0.1:5000",
            CustomParser = argument =>
            {
                var text = argument.Tokens.Single().Value;
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
                argument.AddError($"--server '{text}' is not an http(s) URL such as http://127.0.0.1:5000");
                return null;
            },
        };
        var apiKey = new Option<string?>("--api-key") { Description = "Admin API key for --server (default: the POSMONITOR_API_KEY variable)" };
        var speed = new Option<string?>("--speed")
        {
            Description = "With --server: simulated time per wall-clock time, a number (60: an hour a minute) or realtime; default: as fast as the server takes it",
        };

        var command = new Command("simulate",
            "Simulate a POS fleet with injected faults; write replay files or send to a server.\n\n" + FaultSpec.Grammar + "\n" + BackgroundNoise.Grammar)
        {
            terminals, hours, seed, start, faults, decoys, background, output, server, apiKey, speed,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var stdout = result.InvocationConfiguration.Output;
            var stderr = result.InvocationConfiguration.Error;
            var clock = time ?? TimeProvider.System;
            try
            {
                var request = new SimulateRequest(
                    result.GetValue(terminals), result.GetValue(hours), result.GetValue(seed), result.GetValue(start),
                    result.GetValue(faults) ?? [], result.GetValue(decoys), result.GetValue(background), result.GetValue(output), result.GetValue(server),
                    result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("POSMONITOR_API_KEY"), result.GetValue(speed));
                return await RunAsync(request, stdout, stderr, clock, handler, cancellationToken);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or TelemetrySendException or IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"simulate: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private sealed record SimulateRequest(
        int Terminals, double Hours, int Seed, string? Start, string[] Faults, string? Decoys, string? Background,
        string? Out, Uri? Server, string? ApiKey, string? Speed);

    private static async Task<int> RunAsync(SimulateRequest r, TextWriter stdout, TextWriter stderr, TimeProvider time,
        HttpMessageHandler? handler, CancellationToken cancellationToken)
    {
        if ((r.Out is null) == (r.Server is null)) throw new ArgumentException("give either --out DIR or --server URL");
        if (r.Terminals is < 1 or > 100_000) throw new ArgumentException("--terminals must be from 1 to 100000");
        if (r.Hours is <= 0 or > 24 * 31) throw new ArgumentException("--hours must be more than 0 and at most 744 (31 days)");
        if (r.Server is not null && string.IsNullOrEmpty(r.ApiKey)) throw new ArgumentException("--server needs --api-key (or POSMONITOR_API_KEY)");
        if (r.Server is null && r.Speed is not null) throw new ArgumentException("--speed paces sending: it needs --server");
        var speed = ParseSpeed(r.Speed);
        var duration = TimeSpan.FromHours(r.Hours);
        var now = time.GetUtcNow();
        var start = r.Start is null ? DefaultStart(r, now, duration, speed) : ParseStart(r.Start);

        var options = new SimulationOptions
        {
            Terminals = r.Terminals,
            Seed = r.Seed,
            Start = start,
            Duration = duration,
            Faults = r.Faults.Select(FaultSpec.Parse).ToArray(),
            Decoys = DecoyNames.Parse(r.Decoys),
            Background = BackgroundNoise.Parse(r.Background),
        };
        var simulator = new Simulator(options);
        var run = simulator.GroundTruthRun();
        await stdout.WriteLineAsync($"background: {options.Background}");

        if (r.Out is not null)
        {
            var summary = SimulationFiles.Write(simulator, r.Out, cancellationToken);
            GroundTruthTable.Write(stdout, run);
            await stdout.WriteLineAsync();
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"wrote {Path.Combine(r.Out, SimulationFiles.FleetFile)}, {SimulationFiles.EventsFile}, {SimulationFiles.GroundTruthFile}: "
                + $"{simulator.Fleet.Merchants.Count} merchants, {simulator.Fleet.Terminals.Count} terminals, "
                + $"{summary.Events:N0} events ({summary.Heartbeats:N0} heartbeats, {summary.Transactions:N0} transactions, {summary.Timeouts:N0} timeouts) "
                + $"in {summary.Elapsed.TotalSeconds:0.0} s ({summary.EventsPerSecond:N0} events/s)"));
            return 0;
        }

        // An event of simulated time x is sent at wall time now + x / speed; the API takes 7 days back to 5 minutes ahead.
        var aheadAtEnd = start + duration - (speed is { } pace ? now + duration / pace : now);
        var aheadAtStart = start - now;
        if (start < now - TimeSpan.FromDays(7) || aheadAtEnd > TimeSpan.FromMinutes(5) || aheadAtStart > TimeSpan.FromMinutes(5))
            await stderr.WriteLineAsync("simulate: warning: some events fall outside [now - 7 days, now + 5 minutes]; the server will reject them as timestamp_out_of_range");

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromSeconds(100);
        var sender = new TelemetrySender(http, r.Server!, r.ApiKey!, new TelemetrySenderOptions { Time = time });
        var fleet = await sender.PutFleetAsync(simulator.Fleet.Document, cancellationToken);
        await stdout.WriteLineAsync($"fleet: {fleet.Regions} regions, {fleet.Gateways} gateways, {fleet.Merchants} merchants, {fleet.Terminals} terminals");
        GroundTruthTable.Write(stdout, run);
        await stdout.WriteLineAsync();
        var lastReport = DateTimeOffset.MinValue;
        var progress = new Progress<SendTotals>(t =>
        {
            var at = time.GetUtcNow();
            if (at - lastReport < TimeSpan.FromSeconds(10)) return;
            lastReport = at;
            stderr.WriteLine($"  sent {t.Sent:N0}: accepted {t.Accepted:N0}, duplicates {t.Duplicates:N0}, rejected {t.Rejected:N0}");
        });
        var totals = await sender.SendAsync(simulator.Events(), speed, progress, cancellationToken);
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"sent {totals.Sent:N0} events in {totals.Requests:N0} requests ({totals.Retries} retried): "
            + $"accepted {totals.Accepted:N0}, duplicates {totals.Duplicates:N0}, rejected {totals.Rejected:N0}"));
        foreach (var (code, count) in totals.RejectedByCode.OrderByDescending(kv => kv.Value))
            await stdout.WriteLineAsync($"  rejected {code}: {count:N0}");
        foreach (var rejection in totals.FirstRejections.Take(5))
            await stdout.WriteLineAsync($"  e.g. {rejection.Kind}[{rejection.Index}] {rejection.EventId}: {rejection.Code} {rejection.Message}");
        return totals.Rejected == 0 ? 0 : 1;
    }

    private static double? ParseSpeed(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "max" => null,
        "realtime" => 1,
        var s when double.TryParse(s.TrimEnd('x'), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 => v,
        _ => throw new ArgumentException($"--speed '{text}' should be a positive number (60: an hour a minute), realtime or max"),
    };

    private static DateTimeOffset DefaultStart(SimulateRequest r, DateTimeOffset now, TimeSpan duration, double? speed)
    {
        var second = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        if (r.Out is not null) return new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        // Real time starts now; faster paces end by now, so no event is ever in the future.
        return speed == 1 ? second : second - duration;
    }

    private static DateTimeOffset ParseStart(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start)
            ? start
            : throw new ArgumentException($"--start '{text}' is not a time such as 2026-11-25T00:00:00Z");
}
