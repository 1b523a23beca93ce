using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Simulation;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Heatmap;
using static PosMonitor.Benchmarks.BenchmarkArgs;

namespace PosMonitor.Benchmarks;

// An acquirer's estate on one node (rerun: dotnet run -c Release --project tests/PosMonitor.Benchmarks -- scale
// [--terminals 200000] [--compare 20000] [--minutes 10] [--burst-minutes 2] [--burst 5] [--recover-minutes 2] [--circuits 5]
// [--local-hour 18] [--fault gateway:gw-unionpay:30%:6m:at=4m]).
//
// For each fleet size (the comparison first, so both run on the machine as it is now), in a fresh portal
// process (Release, server GC, as shipped) on a temporary SQLite file:
// 1. PUT /api/v1/fleet with the simulator's fleet (timed), plus one probe terminal in a region of its own.
// 2. The simulator's live traffic on the wall clock (heartbeats every 60 s, sales on its diurnal curve by
//    the shops' local time, its background noise) for --minutes; then --burst-minutes at --burst times
//    that (each event sent again under fresh ids, a sale's copies with outcomes drawn from the batch's sales), then
//    --recover-minutes at the plain rate again.
//    The simulator's day starts at --local-hour in the shops' time (China Standard Time; default 18, the
//    estate's busiest hour) whatever the wall clock says: its events are moved onto the wall clock by a
//    fixed offset, so every run sees the same rate. --fault (repeatable; default one gateway fault in the
//    steady phase, "none" for none) gives detection a wave to open an incident on, for the incident page.
// 3. Throughout: the portal's resident memory every 2 s; each detection tick's duration (the difference of
//    posmonitor_detection_tick_duration sum and count between two scrapes of /metrics); a probe sale every
//    second and the time from its 202 to the hub client seeing its heatmap cell.
// 4. Then Chromium: dashboard (interactive, heatmap drawn), incidents list, one incident, merchants; and
//    resident memory before and after opening --circuits more dashboards.
// 5. The portal stopped and started again on the same database: time to /readyz.
internal static class ScaleBenchmark
{
    private const string AdminKey = "bench-admin-key-5c1d9e7a2b804f36";
    private const string AdminEmail = "admin@bench.test";
    private const string AdminPassword = "bench-admin-password-0123";
    private const string ProbeRegion = "probe";
    private const string ProbeTerminal = "T-PROBE";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new ScaleOptions(
            Terminals: Arg(args, "--terminals", 200_000),
            Compare: Arg(args, "--compare", 20_000),
            Minutes: Arg(args, "--minutes", 10),
            BurstMinutes: Arg(args, "--burst-minutes", 2),
            Burst: Arg(args, "--burst", 5),
            RecoverMinutes: Arg(args, "--recover-minutes", 2),
            Circuits: Arg(args, "--circuits", 5),
            LocalHour: Arg(args, "--local-hour", 18),
            Faults: Faults(args));
        var sizes = options.Compare > 0 && options.Compare != options.Terminals ? new[] { options.Compare, options.Terminals } : [options.Terminals];
        var results = new List<ScaleResult>();
        foreach (var size in sizes)
        {
            Console.WriteLine($"=== {size:N0} terminals; load average {LoadAverage()} ===");
            results.Add(await RunOneAsync(size, options));
        }
        Console.WriteLine();
        Console.WriteLine($"| figure | {string.Join(" | ", results.Select(r => $"{r.Terminals:N0} terminals"))} |");
        Console.WriteLine($"|---|{string.Concat(results.Select(_ => "---|"))}");
        foreach (var (name, value) in ScaleResult.Rows)
            Console.WriteLine($"| {name} | {string.Join(" | ", results.Select(value))} |");
        return 0;
    }

    private static async Task<ScaleResult> RunOneAsync(int terminals, ScaleOptions options)
    {
        var folder = Path.Combine(Path.GetTempPath(), "posmonitor-scale", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "scale.db");
        var settings = new Dictionary<string, string>
        {
            ["PosMonitor__Metrics__AllowedNetworks__0"] = "127.0.0.1/32",
            ["PosMonitor__Bootstrap__AdminEmail"] = AdminEmail,
            ["PosMonitor__Bootstrap__AdminPassword"] = AdminPassword,
            // A portal started on an empty database only learns for its first 10 minutes; a running one (restarted on its
            // saved baselines) detects from the start. Three minutes: the run measures detection at work, and the fault
            // (--fault, at 4 minutes) opens an incident for the incident page.
            ["PosMonitor__Detection__WarmUp"] = "00:03:00",
        };
        var result = new ScaleResult { Terminals = terminals, LoadBefore = LoadAverage() };
        var portal = new Portal(database, AdminKey, settings);
        try
        {
            var started = Stopwatch.StartNew();
            await portal.StartAsync();
            result.StartEmpty = started.Elapsed;
            using var admin = portal.Client();

            var generated = Stopwatch.StartNew();
            var now = DateTimeOffset.UtcNow;
            var simulatedStart = SimulatedStart(now, options.LocalHour);
            using var live = new LiveSimulation(new SimulationOptions { Terminals = terminals, Seed = 1, Start = simulatedStart, Duration = null, Faults = options.Faults });
            result.ClockShift = now - simulatedStart;
            var document = WithProbe(OnTheWallClock(live.Fleet, result.ClockShift));
            result.Merchants = document.Merchants!.Count - 1;
            Console.WriteLine($"Fleet: {terminals:N0} terminals in {result.Merchants:N0} merchants (generated in {generated.Elapsed.TotalSeconds:N1} s)");
            // In parts of at most 25,000 terminals: the whole estate's document is larger than Kestrel's 30 MB
            // request limit, and an acquirer's TMS sends its changes in parts anyway (the PUT is an upsert).
            var sender = new TelemetrySender(admin, portal.BaseAddress, AdminKey, new TelemetrySenderOptions { MaxAttempts = 1 });
            var upsert = Stopwatch.StartNew();
            var parts = 0;
            var uploaded = 0;
            foreach (var part in Parts(document, 25_000))
            {
                uploaded += (await sender.PutFleetAsync(part)).Terminals;
                parts++;
            }
            result.FleetUpsert = upsert.Elapsed;
            result.FleetParts = parts;
            Console.WriteLine($"PUT /api/v1/fleet: {uploaded:N0} terminals in {parts} parts, {result.FleetUpsert.TotalSeconds:N1} s");

            var ingestKey = await CreateKeyAsync(admin, "ingest:platform");
            var readKey = await CreateKeyAsync(admin, "read:platform");
            Console.WriteLine($"Simulated day from {simulatedStart:yyyy-MM-dd HH:mm} UTC ({options.LocalHour:00}:00 in the shops' time), events moved {result.ClockShift.TotalHours:N2} h onto the wall clock; faults: {(options.Faults.Count == 0 ? "none" : string.Join(", ", options.Faults.Select(f => f.Text)))}");
            await RunLoadAsync(portal, live, ingestKey, readKey, options, result);
            try
            {
                await MeasurePagesAsync(portal, admin, options.Circuits, result);
            }
            catch (Exception e) when (e is TimeoutException or PlaywrightException)
            {
                // A page that does not come within two minutes is a figure too; the restart is still measured.
                Console.WriteLine($"Pages: gave up ({e.Message.Split('\n')[0]})");
            }

            await portal.DisposeAsync();
            portal = new Portal(database, AdminKey, settings);
            var restarted = Stopwatch.StartNew();
            await portal.StartAsync();
            result.Restart = restarted.Elapsed;
            result.DatabaseMb = new FileInfo(database).Length / 1048576.0;
            result.RestartMemoryMb = portal.ResidentMb();
            Console.WriteLine($"Restart on the run's database ({result.DatabaseMb:N0} MB): ready in {result.Restart.TotalSeconds:N1} s, {result.RestartMemoryMb:N0} MB resident");
        }
        finally
        {
            await portal.DisposeAsync();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
        return result;
    }

    private static async Task RunLoadAsync(Portal portal, LiveSimulation live, string ingestKey, string readKey, ScaleOptions options, ScaleResult result)
    {
        using var ingest = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        ingest.DefaultRequestHeaders.Add("X-Api-Key", ingestKey);
        using var scraper = new HttpClient { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        // Probe: (minute, n-th probe sale of that minute) → when its 202 arrived; a hub message showing that count ends it.
        var probes = new Dictionary<(DateTime Minute, int Count), long>();
        var probeLatencies = new List<double>();
        var seenUpTo = new Dictionary<DateTime, int>();
        var gate = new Lock();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(portal.BaseAddress, "/hubs/live"), o => o.Headers["X-Api-Key"] = readKey)
            .Build();
        hub.On<HeatmapUpdate>("HeatmapUpdated", update =>
        {
            var arrived = Stopwatch.GetTimestamp();
            foreach (var cell in update.Cells.Where(c => c.Row == ProbeRegion))
                lock (gate)
                {
                    for (var n = seenUpTo.GetValueOrDefault(cell.Minute) + 1; n <= cell.Transactions; n++)
                        if (probes.Remove((cell.Minute, n), out var accepted))
                            probeLatencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(accepted, arrived).TotalMilliseconds));
                    seenUpTo[cell.Minute] = Math.Max(seenUpTo.GetValueOrDefault(cell.Minute), cell.Transactions);
                }
        });
        await hub.StartAsync();

        var total = TimeSpan.FromMinutes(options.Minutes + options.BurstMinutes + options.RecoverMinutes);
        var burstFrom = TimeSpan.FromMinutes(options.Minutes);
        var burstTo = burstFrom + TimeSpan.FromMinutes(options.BurstMinutes);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(total);
        // Requests still out when the load stops get 30 s more, then are given up (counted as failed).
        using var drain = new CancellationTokenSource(total + TimeSpan.FromSeconds(30));
        string Phase(TimeSpan t) => t < burstFrom ? "steady" : t < burstTo ? "burst" : "after";

        long accepted = 0, refused = 0, failed = 0;
        var sent = new ConcurrentDictionary<string, long>();
        var inFlight = new SemaphoreSlim(6);
        var requests = new List<Task>();
        Console.WriteLine($"Load: {options.Minutes} min at the simulator's rate, {options.BurstMinutes} min at {options.Burst}×, {options.RecoverMinutes} min after; sampling every 2 s");

        var driver = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var tickStart = clock.Elapsed;
                var phase = Phase(tickStart);
                var copies = phase == "burst" ? options.Burst : 1;
                while (true)
                {
                    var batch = live.TakeDue(DateTimeOffset.UtcNow - result.ClockShift, max: TelemetrySender.MaxBatch);
                    if (batch.IsEmpty) break;
                    for (var copy = 0; copy < copies; copy++)
                    {
                        var suffix = copy == 0 ? "" : $"-x{copy}";
                        var body = TelemetryWriter.SerializeBatch(
                            [.. batch.Heartbeats.Select(h => h with { EventId = h.EventId + suffix, Timestamp = h.Timestamp + result.ClockShift })],
                            [.. batch.Transactions.Select(t => (copy == 0 ? t : BurstCopies.OutcomeOf(batch.Transactions, t)) with { EventId = t.EventId + suffix, Timestamp = t.Timestamp + result.ClockShift })]);
                        sent.AddOrUpdate(phase, batch.Count, (_, v) => v + batch.Count);
                        await inFlight.WaitAsync();
                        requests.Add(Task.Run(async () =>
                        {
                            try
                            {
                                using var content = new ByteArrayContent(body);
                                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                                using var response = await ingest.PostAsync("/api/v1/telemetry", content, drain.Token);
                                if (response.StatusCode == HttpStatusCode.Accepted) Interlocked.Add(ref accepted, batch.Count);
                                else Interlocked.Add(ref refused, batch.Count);
                            }
                            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                            {
                                Interlocked.Add(ref failed, batch.Count);
                            }
                            finally
                            {
                                inFlight.Release();
                            }
                        }));
                    }
                }
                requests.RemoveAll(t => t.IsCompleted);
                var wait = TimeSpan.FromSeconds(1) - (clock.Elapsed - tickStart);
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
            }
            await Task.WhenAll(requests);
        });

        var prober = Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.Add("X-Api-Key", ingestKey);
            var perMinute = new Dictionary<DateTime, int>();
            long sequence = 0;
            while (!stop.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                var minute = new DateTime(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
                // Clear of minute boundaries, where the sale's minute and the clock could disagree.
                if (now.Second is 0 or 59) { await Task.Delay(250); continue; }
                var body = $$"""{"transactions":[{"eventId":"probe-{{++sequence}}","terminalId":"{{ProbeTerminal}}","timestamp":"{{now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}}","outcome":"approved","latencyMs":500}]}""";
                try
                {
                    using var response = await http.PostAsync("/api/v1/telemetry", new StringContent(body, Encoding.UTF8, "application/json"));
                    var at = Stopwatch.GetTimestamp();
                    // Stored, not only answered: a probe the API discarded (say, an id the card-data screen takes for a PAN) never shows.
                    if (response.StatusCode == HttpStatusCode.Accepted && (await response.Content.ReadAsStringAsync()).Contains("\"accepted\":1", StringComparison.Ordinal))
                    {
                        var n = perMinute[minute] = perMinute.GetValueOrDefault(minute) + 1;
                        lock (gate)
                        {
                            if (seenUpTo.GetValueOrDefault(minute) >= n) probeLatencies.Add(0); // the push beat the 202 here
                            else probes[(minute, n)] = at;
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                await Task.Delay(1000);
            }
        });

        var sampler = Task.Run(async () =>
        {
            double lastSum = 0;
            long lastCount = 0;
            long lastAccepted = 0;
            var lastAt = TimeSpan.Zero;
            while (!stop.IsCancellationRequested)
            {
                try { await Task.Delay(2000, stop.Token); } catch (OperationCanceledException) { }
                var at = clock.Elapsed;
                var rss = portal.ResidentMb();
                var metrics = await ScrapeAsync(scraper);
                var (sum, count) = (metrics.Sum("posmonitor_detection_tick_duration_seconds_sum"), (long)metrics.Sum("posmonitor_detection_tick_duration_seconds_count"));
                if (count > lastCount)
                {
                    // Ticks run every 15 s, so a 2 s window holds one: its own duration. Two (a slow tick) share the mean.
                    for (var i = lastCount; i < count; i++) result.Ticks.Add((sum - lastSum) / (count - lastCount));
                    (lastSum, lastCount) = (sum, count);
                }
                var now = Interlocked.Read(ref accepted);
                result.Samples.Add(new Sample(at, Phase(at), rss, metrics.Sum("dotnet_gc_last_collection_heap_size_bytes") / 1048576.0,
                    (now - lastAccepted) / Math.Max(0.001, (at - lastAt).TotalSeconds), metrics.Sum("posmonitor_ingestion_queue_depth"),
                    metrics.Sum("posmonitor_ingestion_rollup_lag_seconds"), metrics.Sum("posmonitor_sqlite_memory_bytes") / 1048576.0));
                (lastAccepted, lastAt) = (now, at);
                if (result.Samples.Count % 15 == 0)
                    Console.WriteLine($"  {at.TotalSeconds,5:N0} s {Phase(at),-6} RSS {rss,6:N0} MB (GC heap {result.Samples[^1].HeapMb,6:N0}, SQLite {result.Samples[^1].SqliteMb,4:N0}) · {result.Samples[^1].EventsPerSecond,7:N0} events/s · queue {result.Samples[^1].QueueDepth,6:N0} · rollup lag {result.Samples[^1].RollupLagSeconds,4:N0} s · ticks {result.Ticks.Count} (last {(result.Ticks.Count > 0 ? result.Ticks[^1] : 0):N2} s) · load {LoadAverage()}");
            }
        });

        await Task.WhenAll(driver, prober, sampler);
        await Task.Delay(2000);
        lock (gate)
        {
            result.ProbeLatencies.AddRange(probeLatencies);
            result.ProbesLost = probes.Count;
        }
        result.Accepted = accepted;
        result.Refused = refused;
        result.Failed = failed;
        result.SentByPhase = new Dictionary<string, long>(sent);
        result.PhaseSeconds = new Dictionary<string, double>
        {
            ["steady"] = burstFrom.TotalSeconds, ["burst"] = (burstTo - burstFrom).TotalSeconds, ["after"] = (total - burstTo).TotalSeconds,
        };
        result.BackUnderAfterBurst = result.Samples.Where(s => s.Phase == "after" && s.ResidentMb < ScaleResult.TargetMb).Select(s => (double?)(s.At - burstTo).TotalSeconds).FirstOrDefault();
        Console.WriteLine($"Accepted {accepted:N0} events ({refused:N0} refused, {failed:N0} failed); probe n={result.ProbeLatencies.Count}, not seen {result.ProbesLost}");
    }

    private static async Task MeasurePagesAsync(Portal portal, HttpClient admin, int circuits, ScaleResult result)
    {
        var chromium = new[] { Environment.GetEnvironmentVariable("POSMONITOR_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
        if (chromium is null)
        {
            Console.WriteLine("Pages: skipped, no Chromium (apt-get install -y chromium).");
            return;
        }
        // The widest incident of the run (the injected fault's), else the newest: a wide one reads the most.
        var incidents = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/incidents?limit=50")).EnumerateArray().ToList();
        var incident = incidents.FirstOrDefault(i => i.GetProperty("scopeType").GetString() is not ("terminal" or "merchant"));
        if (incident.ValueKind != JsonValueKind.Object && incidents.Count > 0) incident = incidents[0];
        var incidentId = incident.ValueKind == JsonValueKind.Object ? incident.GetProperty("id").GetString() : null;
        if (incidentId is not null) Console.WriteLine($"  incident opened: {incidents.Count} ({string.Join(", ", incidents.Take(5).Select(i => $"{i.GetProperty("scopeType").GetString()} {i.GetProperty("scopeId").GetString()}"))}…); timing {incidentId}");
        foreach (var i in incidents.Take(12)) Console.WriteLine($"    {i.GetProperty("openedAt").GetString()} {i.GetProperty("title").GetString()}");
        // The first lone terminal's evidence in full: why a terminal of a benchmark's load counted as down.
        if (incidents.FirstOrDefault(i => i.GetProperty("scopeType").GetString() == "terminal") is { ValueKind: JsonValueKind.Object } lone
            && lone.TryGetProperty("evidence", out var evidence))
            Console.WriteLine($"    evidence of {lone.GetProperty("scopeId").GetString()}: {evidence}");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1920, Height = 1080 } });
        context.SetDefaultTimeout(120_000);
        var signIn = await context.NewPageAsync();
        await signIn.GotoAsync(new Uri(portal.BaseAddress, "/account/sign-in").ToString());
        await signIn.FillAsync("#email", AdminEmail);
        await signIn.FillAsync("#password", AdminPassword);
        await signIn.ClickAsync("button[type=submit]");
        await signIn.WaitForURLAsync(url => !url.Contains("/account/sign-in", StringComparison.Ordinal));
        await signIn.CloseAsync();

        // Each page twice, the first to warm code paths; the second is the figure (a staff member's usual case).
        async Task<TimeSpan> Open(string path, string selector)
        {
            TimeSpan taken = default;
            for (var round = 0; round < 2; round++)
            {
                var page = await context.NewPageAsync();
                var clock = Stopwatch.StartNew();
                await page.GotoAsync(new Uri(portal.BaseAddress, path).ToString());
                await page.WaitForSelectorAsync(".pm-content[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 120_000 });
                await page.WaitForSelectorAsync(selector, new PageWaitForSelectorOptions { Timeout = 120_000 });
                taken = clock.Elapsed;
                await page.CloseAsync();
            }
            return taken;
        }
        result.Pages["dashboard (interactive, heatmap drawn)"] = await Open("/", "[data-testid=heatmap]");
        result.Pages["incidents"] = await Open("/incidents", ".mud-table");
        if (incidentId is not null) result.Pages["an incident"] = await Open($"/incidents/{incidentId}", "h1, h2, h3");
        result.Pages["merchants"] = await Open("/merchants", ".mud-table");
        foreach (var (page, taken) in result.Pages) Console.WriteLine($"  {page}: {taken.TotalMilliseconds:N0} ms");

        await Task.Delay(3000);
        var before = portal.ResidentMb();
        var open = new List<IPage>();
        for (var i = 0; i < circuits; i++)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(portal.BaseAddress.ToString());
            await page.WaitForSelectorAsync(".pm-content[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 120_000 });
            open.Add(page);
        }
        await Task.Delay(5000);
        result.CircuitMb = (portal.ResidentMb() - before) / Math.Max(1, circuits);
        Console.WriteLine($"  {circuits} more dashboards: {before:N0} → {portal.ResidentMb():N0} MB resident, {result.CircuitMb:N1} MB per circuit");
        foreach (var page in open) await page.CloseAsync();
    }

    /// <summary>
    /// The fleet with each merchant's declared opening hours moved by <paramref name="shift"/>, as its events are: the
    /// simulated shops trade at --local-hour whatever the wall clock says, and detection judges their hours on the wall
    /// clock. Left as declared, a breakfast shop shut and asleep at 18:00 in the simulation was open at the wall clock's
    /// hour, and its tills, heartbeating every few minutes, opened ~40 lone "stopped reporting" incidents at 20k (~500
    /// at 200k) five minutes into every run.
    /// </summary>
    private static FleetDocument OnTheWallClock(FleetDocument document, TimeSpan shift)
    {
        var minutes = (int)Math.Round(shift.TotalMinutes) % (24 * 60);
        string? Moved(string? hours) => OpeningHours.TryParse(hours, out var h)
            ? h.Opens.AddMinutes(minutes).ToString("HH:mm", CultureInfo.InvariantCulture) + "-" + h.Closes.AddMinutes(minutes).ToString("HH:mm", CultureInfo.InvariantCulture)
            : hours;
        return document with { Merchants = [.. (document.Merchants ?? []).Select(m => m with { OpeningHours = Moved(m.OpeningHours) })] };
    }

    private static FleetDocument WithProbe(FleetDocument document) => document with
    {
        Regions = [.. document.Regions ?? [], new RegionDto { Id = ProbeRegion, Name = ProbeRegion }],
        Merchants =
        [
            .. document.Merchants ?? [],
            new MerchantDto
            {
                Id = "m-probe", Name = "Probe", Region = ProbeRegion,
                Terminals = [new TerminalDto { Id = ProbeTerminal, Gateway = document.Gateways![0].Id, Model = "A920", Firmware = "3.2.1" }],
            },
        ],
    };

    private static IEnumerable<FleetDocument> Parts(FleetDocument document, int terminalsPerPart)
    {
        var part = new List<MerchantDto>();
        var count = 0;
        foreach (var merchant in document.Merchants ?? [])
        {
            part.Add(merchant);
            count += merchant.Terminals?.Count ?? 0;
            if (count < terminalsPerPart) continue;
            yield return document with { Merchants = part };
            (part, count) = ([], 0);
        }
        if (part.Count > 0) yield return document with { Merchants = part };
    }

    private static async Task<string> CreateKeyAsync(HttpClient admin, string scope)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/keys", new { scope, name = "scale " + scope });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<KeyBody>())!.Key;
    }

    /// <summary>Prometheus text: each series' value, summed over labels by metric name.</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            var text = await http.GetStringAsync("/metrics");
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#') continue;
                var nameEnd = line.IndexOfAny(['{', ' ']);
                var valueStart = line.LastIndexOf('}') is var brace and >= 0 ? brace + 2 : nameEnd + 1;
                var valueEnd = line.IndexOf(' ', valueStart) is var space and >= 0 ? space : line.Length;
                if (nameEnd <= 0 || valueStart >= line.Length) continue;
                if (double.TryParse(line.AsSpan(valueStart, valueEnd - valueStart), NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    values[line[..nameEnd]] = values.GetValueOrDefault(line[..nameEnd]) + v;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
        return values;
    }

    private static double Sum(this Dictionary<string, double> metrics, string name) => metrics.GetValueOrDefault(name);

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    /// <summary>When the simulated day starts: the last time it was <paramref name="localHour"/>:00 in the shops' time (UTC+8).</summary>
    private static DateTimeOffset SimulatedStart(DateTimeOffset now, int localHour)
    {
        var start = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddHours(localHour - 8);
        while (start > now) start = start.AddDays(-1);
        while (start.AddDays(1) <= now) start = start.AddDays(1);
        return start;
    }

    private static IReadOnlyList<FaultSpec> Faults(string[] args)
    {
        var given = args.Select((a, i) => (a, i)).Where(x => x.a == "--fault" && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToList();
        if (given.Count == 0) given = ["gateway:gw-unionpay:30%:6m:at=4m"];
        return [.. given.Where(g => g != "none").Select(FaultSpec.Parse)];
    }
}

internal static class BurstCopies
{
    private static readonly Random Draw = new(18);

    /// <summary>
    /// A burst's copy of <paramref name="sale"/>: its terminal, time and amount, with the outcome (result, stage, timings,
    /// error) of a sale drawn from the same batch through the same gateway. Five times the traffic brings five times the sales at the estate's
    /// failure rate, each failing or not on its own; copying each sale's own outcome made a terminal's one failed sale
    /// five in the minute, which no real burst does.
    /// </summary>
    public static Transaction OutcomeOf(IReadOnlyList<Transaction> batch, Transaction sale)
    {
        // From a sale through the same gateway: a gateway's fault stays that gateway's (drawn from any, a gateway fault
        // under the burst became the platform's).
        var other = sale;
        for (var tries = 0; tries < 20; tries++)
        {
            var drawn = batch[Draw.Next(batch.Count)];
            if (drawn.Gateway != sale.Gateway) continue;
            other = drawn;
            break;
        }
        return sale with
        {
            Outcome = other.Outcome, Stage = other.Stage, LatencyMs = other.LatencyMs, StageMs = other.StageMs, ErrorCode = other.ErrorCode,
        };
    }
}

internal sealed record ScaleOptions(int Terminals, int Compare, int Minutes, int BurstMinutes, int Burst, int RecoverMinutes, int Circuits, int LocalHour, IReadOnlyList<FaultSpec> Faults);

internal sealed record Sample(TimeSpan At, string Phase, double ResidentMb, double HeapMb, double EventsPerSecond, double QueueDepth, double RollupLagSeconds, double SqliteMb);

internal sealed class ScaleResult
{
    public const double TargetMb = 1536;

    public int Terminals { get; init; }
    public int Merchants { get; set; }
    public string LoadBefore { get; init; } = "";
    public TimeSpan StartEmpty { get; set; }
    /// <summary>Wall clock minus the simulator's clock: added to every event's timestamp.</summary>
    public TimeSpan ClockShift { get; set; }
    public TimeSpan FleetUpsert { get; set; }
    public int FleetParts { get; set; }
    public TimeSpan Restart { get; set; }
    public double DatabaseMb { get; set; }
    public double RestartMemoryMb { get; set; }
    public List<Sample> Samples { get; } = [];
    public List<double> Ticks { get; } = [];
    public List<double> ProbeLatencies { get; } = [];
    public int ProbesLost { get; set; }
    public long Accepted { get; set; }
    public long Refused { get; set; }
    public long Failed { get; set; }
    public Dictionary<string, long> SentByPhase { get; set; } = [];
    public Dictionary<string, double> PhaseSeconds { get; set; } = [];
    public double? BackUnderAfterBurst { get; set; }
    public Dictionary<string, TimeSpan> Pages { get; } = [];
    public double CircuitMb { get; set; }

    private double Rate(string phase) => SentByPhase.GetValueOrDefault(phase) / Math.Max(1, PhaseSeconds.GetValueOrDefault(phase));

    private string Memory(string phase, Func<IEnumerable<double>, double> pick)
    {
        // The first minute is the fleet settling in (every terminal's first heartbeat); steady is after it.
        var values = Samples.Where(s => s.Phase == phase && (phase != "steady" || s.At > TimeSpan.FromMinutes(1))).Select(s => s.ResidentMb).ToList();
        return values.Count == 0 ? "–" : $"{pick(values):N0} MB";
    }

    private static string Pct(List<double> values, double p, string unit, double scale = 1)
    {
        if (values.Count == 0) return "–";
        var sorted = values.Order().ToList();
        return $"{sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)] * scale:N0} {unit}";
    }

    public static IReadOnlyList<(string, Func<ScaleResult, string>)> Rows { get; } =
    [
        ("merchants", r => r.Merchants.ToString("N0", CultureInfo.InvariantCulture)),
        ("load average before", r => r.LoadBefore),
        ("start-up, empty database", r => $"{r.StartEmpty.TotalSeconds:N1} s"),
        ("PUT /api/v1/fleet (parts of ≤ 25,000 terminals)", r => $"{r.FleetUpsert.TotalSeconds:N1} s ({r.FleetParts} parts)"),
        ("events/s sent: steady / burst / after", r => $"{r.Rate("steady"):N0} / {r.Rate("burst"):N0} / {r.Rate("after"):N0}"),
        ("events accepted (refused, failed)", r => $"{r.Accepted:N0} ({r.Refused:N0}, {r.Failed:N0})"),
        ("resident memory steady: median / max", r => $"{r.Memory("steady", v => v.Order().ElementAt(v.Count() / 2))} / {r.Memory("steady", v => v.Max())}"),
        ("resident memory peak (burst)", r => r.Memory("burst", v => v.Max())),
        ("after the burst: under 1.5 GB after", r => r.BackUnderAfterBurst is { } s ? $"{s:N0} s" : "not within the run"),
        ("resident memory at the end", r => r.Samples.Count > 0 ? $"{r.Samples[^1].ResidentMb:N0} MB" : "–"),
        ("GC heap after last collection: steady max / peak", r => $"{r.Samples.Where(s => s.Phase == "steady").Select(s => s.HeapMb).DefaultIfEmpty().Max():N0} / {r.Samples.Select(s => s.HeapMb).DefaultIfEmpty().Max():N0} MB"),
        ("SQLite's memory: max", r => $"{r.Samples.Select(s => s.SqliteMb).DefaultIfEmpty().Max():N0} MB"),
        ("rollup flush lag: max", r => $"{r.Samples.Select(s => s.RollupLagSeconds).DefaultIfEmpty().Max():N0} s"),
        ("detection tick p50 / p95 / max", r => $"{Pct(r.Ticks, 0.5, "ms", 1000)} / {Pct(r.Ticks, 0.95, "ms", 1000)} / {(r.Ticks.Count > 0 ? r.Ticks.Max() * 1000 : 0):N0} ms (n={r.Ticks.Count})"),
        ("202 → hub cell p50 / p95 (not seen)", r => $"{Pct(r.ProbeLatencies, 0.5, "ms")} / {Pct(r.ProbeLatencies, 0.95, "ms")} ({r.ProbesLost})"),
        ("dashboard interactive, heatmap drawn", r => Page(r, "dashboard (interactive, heatmap drawn)")),
        ("incidents page", r => Page(r, "incidents")),
        ("an incident's page", r => Page(r, "an incident")),
        ("merchants page", r => Page(r, "merchants")),
        ("resident memory per open dashboard circuit", r => $"{r.CircuitMb:N1} MB"),
        ("restart on the run's database (size)", r => $"{r.Restart.TotalSeconds:N1} s ({r.DatabaseMb:N0} MB; {r.RestartMemoryMb:N0} MB resident when ready)"),
    ];

    private static string Page(ScaleResult r, string name) => r.Pages.TryGetValue(name, out var t) ? $"{t.TotalMilliseconds:N0} ms" : "–";
}
