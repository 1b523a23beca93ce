using System.Diagnostics;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Observability;

namespace PosMonitor.Web.Features.Detection;

/// <summary>
/// The live host of the one <see cref="DetectionEngine"/>: builds its input from the database and
/// caches, runs it, stores and publishes what changed, and saves what it learned. Started lazily by
/// the first run: the incident sequence and the saved baselines are read then.
/// </summary>
/// <remarks>
/// Runs, baseline snapshots and an agent's resolve or reopen (<see cref="IIncidentWatch"/>) take one lock: the engine is not
/// thread-safe, and an incident an agent resolves must not be updated by a run that read it as open. A baseline save is
/// written outside the lock from a snapshot taken under it (<see cref="BaselineSnapshot"/>), one save at a time, so the
/// seconds it takes at 200,000 terminals do not hold up the runs.
/// With several nodes (<see cref="DetectionLeadership"/>) only the leader evaluates: each new term starts the engine
/// afresh from the saved baselines and the open incidents in the database, and its writes carry the term's fencing
/// token, so a leader that lost the lease while paused cannot write over its successor.
/// </remarks>
public sealed class DetectionRunner(
    DetectionSettings settings, DetectionHostOptions options, TimeProvider time, FleetCache fleet,
    TerminalStateCache states, TelemetryFeed telemetry, LiveMinuteWindow minutes, DetectionQueries queries, MaintenanceWindowRepository maintenance,
    IncidentRepository incidents, IncidentFeed feed, DetectionStatus status, PosMonitorMetrics metrics, DetectionLeadership leadership,
    ILogger<DetectionRunner> logger) : IIncidentWatch
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    /// <summary>Held while a baseline save is written: never two at once (a run skips its save while one is under way).</summary>
    private readonly SemaphoreSlim _saving = new(1, 1);
    private DetectionEngine? _engine;
    private LeaseFence? _term;
    private KnownAffectedRows _stored = new();
    private DateTimeOffset _baselinesSavedAt;
    private Task _backgroundSave = Task.CompletedTask;

    /// <summary>One evaluation at the current time; what it changed is stored before it is published.</summary>
    public async Task<DetectionResult> RunAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        using var activity = metrics.ActivitySource.StartActivity("detection tick");
        var started = Stopwatch.GetTimestamp();
        var succeeded = false;
        try
        {
            if (leadership.Current is not { } term)
            {
                if (_engine is not null) logger.LogInformation("Node {Node} no longer leads detection; it evaluates again when it leads", leadership.NodeName);
                _engine = null;
                succeeded = true;
                return new DetectionResult([], []);
            }
            if (_engine is null || _term != term)
            {
                _engine = await StartEngineAsync(ct);
                _term = term;
                // What the previous term knew of the stored rows may have been written over since.
                _stored = new KnownAffectedRows();
            }
            var engine = _engine;
            // Every commit acknowledged so far reaches the live window first, as a replay sees every event before its check.
            try
            {
                await telemetry.DeliveredAsync().WaitAsync(TimeSpan.FromSeconds(5), ct);
            }
            catch (TimeoutException)
            {
                logger.LogWarning("The telemetry feed is more than 5 s behind; detection runs on what it has delivered");
            }
            var now = time.GetUtcNow();
            var current = fleet.Current;
            var openIds = await incidents.OpenIdsAsync(ct);
            var input = new DetectionInput
            {
                Fleet = current,
                // The lookback as committed so far, as the replay's store holds it at this instant.
                MinuteBatches = minutes.Between(TerminalMinute.MinuteOf(now - settings.Lookback), TerminalMinute.MinuteOf(now) + TimeSpan.FromMinutes(1)),
                // The cache itself, not a copy of 200,000 states a run: the engine reads each once while it builds its frame.
                States = states.ByTerminal,
                FirmwareChanges = await queries.FirmwareChangesAsync(now - TimeSpan.FromDays(1), ct),
                MaintenanceWindows = await maintenance.ForDetectionAsync(now, ct),
                // The engine adopts only the open incidents it does not hold: only those are read with their affected rows.
                OpenIncidents = await incidents.OpenAsync(NotHeld(engine, openIds), ct),
            };
            _stored.KeepOnly(openIds);
            // Another node's agent resolves by hand without this engine hearing of it: the database says so.
            if (leadership.Clustered) ForgetResolvedElsewhere(engine, openIds, now);
            var result = engine.Evaluate(input);
            // The engine holds these minutes now: the window may give up the rows of those old enough.
            minutes.Read(input.MinuteBatches);
            status.LearningUntil = engine.LearningUntil;
            foreach (var problem in result.Problems)
                logger.LogWarning("Detection problem (the rest of the evaluation ran): {Problem}", problem);
            if (result.Changes.Count > 0)
            {
                try
                {
                    await incidents.SaveAsync(result.Changes, current, term, _stored, ct);
                }
                catch (LeaseLostException e)
                {
                    // Another node took over while this run computed: what it found is that node's to find again.
                    logger.LogWarning("{Message}; this node stops evaluating until it leads again", e.Message);
                    _engine = null;
                    succeeded = true;
                    return new DetectionResult([], result.Problems);
                }
                foreach (var change in result.Changes)
                {
                    LogChange(logger, change);
                    feed.Publish(change.Kind, change.Incident);
                }
            }
            if (now - _baselinesSavedAt >= options.BaselineSaveInterval && _saving.Wait(0))
            {
                // The snapshot under the lock, consistent with this run; the write after it, outside (the shutdown save waits for it).
                BaselineSnapshot snapshot;
                try
                {
                    snapshot = engine.SnapshotBaselines();
                }
                catch
                {
                    _saving.Release();
                    throw;
                }
                _baselinesSavedAt = now;
                _backgroundSave = Task.Run(() => WriteBaselinesAsync(snapshot, now, term, CancellationToken.None), CancellationToken.None);
            }
            metrics.DetectionRan(result, activity);
            status.RanAt = now;
            succeeded = true;
            return result;
        }
        finally
        {
            _gate.Release();
            metrics.DetectionTick(Stopwatch.GetElapsedTime(started), succeeded);
            if (!succeeded) activity?.SetStatus(ActivityStatusCode.Error);
        }
    }

    public async Task<T> BetweenRunsAsync<T>(string incidentId, Func<FaultNow?, Task<T>> change, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // A figure from runs that stopped (detection switched off here) says nothing about now.
            var fault = _engine?.Failing.GetValueOrDefault(incidentId) is { } f && time.GetUtcNow() - f.At <= 2 * settings.Interval ? f : null;
            return await change(fault);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <remarks>Called inside <see cref="BetweenRunsAsync{T}"/>, under the lock.</remarks>
    public void ResolvedByHand(string incidentId, DateTimeOffset at) => _engine?.ResolveByHand(incidentId, at);

    /// <summary>
    /// Saves what the engine learned (at shutdown; runs save on their own every BaselineSaveInterval), after any save a
    /// run started has been written.
    /// </summary>
    public async Task SaveBaselinesAsync(CancellationToken ct)
    {
        await _saving.WaitAsync(ct);
        BaselineSnapshot? snapshot;
        LeaseFence? term;
        DateTimeOffset now;
        try
        {
            await _gate.WaitAsync(ct);
            try
            {
                snapshot = _engine?.SnapshotBaselines();
                term = _term;
                now = time.GetUtcNow();
                if (snapshot is not null) _baselinesSavedAt = now;
            }
            finally
            {
                _gate.Release();
            }
        }
        catch
        {
            _saving.Release();
            throw;
        }
        if (snapshot is null) _saving.Release();
        else await WriteBaselinesAsync(snapshot, now, term, ct);
    }

    /// <summary>The save a run started in the background, for tests and the benchmark to wait on.</summary>
    internal Task BackgroundSave => _backgroundSave;

    private async Task<DetectionEngine> StartEngineAsync(CancellationToken ct)
    {
        var last = await incidents.LastSequenceAsync(ct);
        var engine = new DetectionEngine(settings, time, new SequentialIncidentIdGenerator(last));
        if (await queries.LoadBaselinesAsync(engine, ct) is { } saved)
        {
            logger.LogInformation("Detection resumed: baselines of {Minutes} minutes ({Scopes} scopes) restored, incidents continue after {Last}",
                saved.LearnedMinutes, saved.Scopes, SequentialIncidentIdGenerator.Format(last));
        }
        else
        {
            logger.LogInformation("Detection started cold: it learns for {WarmUp} before it opens incidents", settings.WarmUp);
        }
        _baselinesSavedAt = time.GetUtcNow();
        return engine;
    }

    /// <summary>Writes <paramref name="snapshot"/>, disposes it and lets the next save start (<see cref="_saving"/> is held on entry).</summary>
    private async Task WriteBaselinesAsync(BaselineSnapshot snapshot, DateTimeOffset now, LeaseFence? term, CancellationToken ct)
    {
        using var _ = snapshot;
        try
        {
            await queries.SaveBaselinesAsync(snapshot.Header, snapshot.Scopes(), now, ct, term);
        }
        catch (LeaseLostException e)
        {
            // The successor saves its own; this term's would overwrite them with older ones.
            logger.LogInformation("Baselines not saved: {Message}", e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Losing one save costs relearning a few minutes after a restart; detection goes on (the next save is due in an interval).
            logger.LogError(e, "Saving the detection baselines failed");
        }
        finally
        {
            _saving.Release();
        }
    }

    private static List<string> NotHeld(DetectionEngine engine, IReadOnlyList<string> openIds)
    {
        var held = engine.OpenIncidents.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        return openIds.Where(id => !held.Contains(id)).ToList();
    }

    private static void ForgetResolvedElsewhere(DetectionEngine engine, IReadOnlyList<string> openInDatabase, DateTimeOffset now)
    {
        var open = openInDatabase.ToHashSet(StringComparer.Ordinal);
        foreach (var tracked in engine.OpenIncidents)
            if (!open.Contains(tracked.Id)) engine.ResolveByHand(tracked.Id, now);
    }

    internal static void LogChange(ILogger logger, IncidentChange change)
    {
        var i = change.Incident;
        // The title holds a merchant's or store's name, the scope an id from the fleet: masked, as every logged text from outside.
        logger.LogInformation("Incident {Id} {Kind}: {Cause} {ScopeType} {ScopeId}, {Terminals} terminals of {Merchants} merchants — {Title}",
            i.Id, IncidentRepository.KindName(change.Kind), Causes.Name(i.Cause), Causes.Name(i.ScopeType), CardData.Mask(i.ScopeId),
            i.AffectedTerminals, i.AffectedMerchants, CardData.Mask(i.Title));
    }
}
