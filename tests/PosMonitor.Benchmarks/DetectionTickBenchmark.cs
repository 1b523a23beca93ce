using System.Diagnostics;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using static PosMonitor.Benchmarks.BenchmarkArgs;

namespace PosMonitor.Benchmarks;

// The parts of a detection tick that grow with the estate and with a wide incident (rerun: dotnet run -c Release --project
// tests/PosMonitor.Benchmarks -- detection-tick [--terminals 200000] [--merchants 63822] [--affected 50000] [--hours 24] [--runs 7]),
// in-process on a temporary SQLite file, each the way the runner did it before and does it now, in the same run:
// reading the open incidents (a wide one of --affected terminals and five small ones), saving an update of the wide one
// that adds 20 terminals, handing the engine the terminal states, and what a baseline save holds the runner's lock for.
internal static class DetectionTickBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var terminals = Arg(args, "--terminals", 200_000);
        var merchants = Arg(args, "--merchants", 63_822);
        var affectedCount = Math.Clamp(Arg(args, "--affected", 50_000), 1, terminals - 1_000);
        var hours = Math.Clamp(Arg(args, "--hours", 24), 1, 168);
        var runs = Math.Max(3, Arg(args, "--runs", 7));
        using var scratch = new ScratchDatabase("detection-tick");
        var db = scratch.Db;
        var ct = CancellationToken.None;

        var watch = Stopwatch.StartNew();
        await IncidentPageBenchmark.FleetAsync(db, terminals, merchants);
        var fleetCache = new FleetCache(new FleetRepository(db, TimeProvider.System), new FleetChanges());
        await fleetCache.ReloadAsync(ct);
        var fleet = fleetCache.Current;
        Console.WriteLine($"fleet of {terminals:N0} terminals, {merchants:N0} merchants: {watch.Elapsed.TotalSeconds:F1} s");

        // A gateway fault's incident: every fourth terminal in id order up to --affected, and five small incidents beside it.
        var ids = fleet.Terminals.Keys.Order(StringComparer.Ordinal).ToList();
        var affected = ids.Where((_, i) => i % 4 == 0).Take(affectedCount).ToList();
        var spare = ids.Where((_, i) => i % 4 == 1).ToList();
        var now = DateTimeOffset.UtcNow;
        var wide = Incident("inc-000100", ScopeType.Gateway, "gw-1", affected, fleet, now);
        var repo = new IncidentRepository(db);
        watch.Restart();
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, wide)], fleet, ct);
        Console.WriteLine($"opening the wide incident ({wide.AffectedTerminals:N0} terminals, {wide.AffectedMerchants:N0} merchants): {watch.ElapsedMilliseconds:N0} ms");
        for (var n = 0; n < 5; n++)
        {
            var t = ids[n * 7];
            await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, Incident($"inc-00010{n + 1}", ScopeType.Terminal, t, [t], fleet, now))], fleet, ct);
        }
        Console.WriteLine();
        Console.WriteLine("| per tick | before (median of runs, ms) | after | ");
        Console.WriteLine("|---|---|---|");

        // 1. The open incidents: all with their affected rows, against their ids and only those the engine does not hold.
        var readBefore = await Median(runs, async () => await repo.OpenAsync(ct));
        var readAfter = await Median(runs, async () =>
        {
            var open = await repo.OpenIdsAsync(ct);
            await repo.OpenAsync(open.Where(id => id != wide.Id && !id.StartsWith("inc-00010", StringComparison.Ordinal)).ToList(), ct);
        });
        Console.WriteLine($"| open incidents read | {readBefore:N0} | {readAfter:N2} |");

        // 2. An update of the wide incident that adds 20 terminals: diffed against the stored rows read back, or against what the runner knows.
        var grown = wide;
        var next = 0;
        Incident Grow()
        {
            var more = grown.AffectedTerminalIds.Concat(spare.Skip(next).Take(20)).Order(StringComparer.Ordinal).ToList();
            next += 20;
            return grown = Incident(wide.Id, wide.ScopeType, wide.ScopeId, more, fleet, now);
        }
        var saveBefore = await Median(runs, Grow, i => repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, i)], fleet, ct));
        var known = new KnownAffectedRows();
        var first = Grow();
        watch.Restart();
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, first)], fleet, null, known, ct);
        var firstKnown = watch.Elapsed.TotalMilliseconds;
        var saveAfter = await Median(runs, Grow, i => repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, i)], fleet, null, known, ct));
        Console.WriteLine($"| update of the wide incident saved (20 terminals added) | {saveBefore:N0} | {saveAfter:N1} (the first of a term, which reads the rows once: {firstKnown:N0}) |");
        // As the engine makes it: new lists of the same ids.
        var saveRetitled = await Median(runs, () => grown with
            {
                Title = $"{grown.ScopeId}: {next++}% of sales time out at the gateway stage",
                AffectedTerminalIds = [.. grown.AffectedTerminalIds], AffectedMerchantIds = [.. grown.AffectedMerchantIds],
            },
            i => repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, i)], fleet, null, known, ct));
        Console.WriteLine($"| update of the wide incident saved, no terminal added (a higher rate) | | {saveRetitled:N1} |");
        var small = Incident("inc-000101", ScopeType.Terminal, ids[0], [ids[0]], fleet, now);
        var saveSmall = await Median(runs, () => repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, small)], fleet, null, known, ct));
        Console.WriteLine($"| update of a one-terminal incident saved (what any save costs: the transaction and its commit) | | {saveSmall:N1} |");

        // 3. The terminal states handed to the engine: a copy of 200,000 a tick, or the cache itself.
        var states = new TerminalStateCache(db);
        states.Apply(ids.Select(id => new TerminalState { TerminalId = id, LastSeenAt = now, LastHeartbeatAt = now }));
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var statesBefore = await Median(runs, () => Task.FromResult(states.All.ToDictionary(s => s.TerminalId, StringComparer.Ordinal)));
        var copyBytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / runs;
        var statesAfter = await Median(runs, () =>
        {
            var n = 0;
            foreach (var _ in states.ByTerminal) n++;
            return Task.FromResult(n);
        });
        Console.WriteLine($"| terminal states for the engine | {statesBefore:N0} ({copyBytes / 1_048_576.0:N0} MB allocated) | {statesAfter:N1} (the engine's own read of them; nothing allocated) |");

        // 4. A baseline save: before, written under the runner's lock; now a snapshot under it, written after.
        var queries = new DetectionQueries(db);
        await queries.SaveBaselinesAsync(new BaselineHeader(Baselines.LayoutVersion, now.AddMinutes(-2), hours * 60L),
            BaselinesBenchmark.Learned(terminals, merchants, hours), now, ct);
        var engine = new DetectionEngine(new DetectionSettings(), TimeProvider.System, new SequentialIncidentIdGenerator());
        var loaded = await queries.LoadBaselinesAsync(engine, ct);
        watch.Restart();
        await queries.SaveBaselinesAsync(engine.BaselineHeader, engine.ExportScopeBaselines(), now, ct);
        var heldBefore = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var snapshot = engine.SnapshotBaselines();
        var heldAfter = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var write = Task.Run(async () =>
        {
            using var _ = snapshot;
            await queries.SaveBaselinesAsync(snapshot.Header, snapshot.Scopes(), now, ct);
        });
        // What a tick does against the database meanwhile: the open ids and an update of the wide incident (SQLite: one writer at a time).
        var during = new List<double>();
        while (!write.IsCompleted)
        {
            var update = Grow();
            var tick = Stopwatch.StartNew();
            await repo.OpenIdsAsync(ct);
            await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, update)], fleet, null, known, ct);
            during.Add(tick.Elapsed.TotalMilliseconds);
        }
        await write;
        var written = watch.Elapsed.TotalSeconds;
        during.Sort();
        Console.WriteLine($"| runner's lock held by a baseline save ({loaded?.Scopes:N0} scopes, {hours} h learned) | {heldBefore:N0} | {heldAfter:N1} (the snapshot; written outside the lock in {written:F1} s) |");
        Console.WriteLine($"| a tick's database work while that save is written | | median {during[during.Count / 2]:N0}, max {during[^1]:N0} ({during.Count} ticks back to back) |");
        return 0;
    }

    private static Incident Incident(string id, ScopeType type, string scope, IReadOnlyList<string> terminals, Core.Fleet.Fleet fleet, DateTimeOffset at)
    {
        var merchants = terminals.Select(t => fleet.Terminals[t].MerchantId).Distinct().Order(StringComparer.Ordinal).ToList();
        return new Incident
        {
            Id = id, ScopeType = type, ScopeId = scope, Cause = Cause.Gateway, Severity = Severity.Critical, OpenedAt = at, UpdatedAt = at,
            RunbookId = "rb-gateway-degradation", Title = $"{scope}: sales time out at the gateway stage",
            AffectedTerminalIds = terminals, AffectedMerchantIds = merchants, AffectedTerminals = terminals.Count, AffectedMerchants = merchants.Count,
        };
    }

    /// <summary>The median of <paramref name="runs"/> timings, ms, after one untimed warm-up.</summary>
    private static async Task<double> Median<T>(int runs, Func<Task<T>> work)
    {
        await work();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var w = Stopwatch.StartNew();
            await work();
            times.Add(w.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[runs / 2];
    }

    private static Task<double> Median(int runs, Func<Task> work) => Median(runs, async () => { await work(); return true; });

    /// <summary>As <see cref="Median{T}(int, Func{Task{T}})"/>, each run's input made by <paramref name="prepare"/> before its clock starts.</summary>
    private static async Task<double> Median<TIn>(int runs, Func<TIn> prepare, Func<TIn, Task> work)
    {
        await work(prepare());
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var input = prepare();
            var w = Stopwatch.StartNew();
            await work(input);
            times.Add(w.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[runs / 2];
    }
}
