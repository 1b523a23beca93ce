using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Infrastructure.Cluster;
using Microsoft.Extensions.Options;
using Quartz;
using Quartz.Impl.Matchers;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Detection;

/// <summary>The live detection host end to end: telemetry through the API, detection on a fake clock, incidents in the database, feed and API.</summary>
public class DetectionRunnerTests
{
    private static readonly DateTimeOffset Start = DetectionFactory.Monday9Utc;
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(15);

    /// <summary>Posts every pending event that has happened by now, then runs detection once, every 15 s until <paramref name="until"/>.</summary>
    internal static async Task RunUntil(DetectionFactory factory, DetectionRunner runner, Queue<TestEvent> pending, DateTimeOffset until)
    {
        var client = factory.AdminClient();
        while (factory.Clock.GetUtcNow() < until)
        {
            factory.Clock.Advance(Tick);
            var now = factory.Clock.GetUtcNow();
            var due = new List<TestEvent>();
            while (pending.Count > 0 && pending.Peek().At <= now) due.Add(pending.Dequeue());
            if (due.Count > 0)
            {
                var response = await client.PostAsync("/api/v1/telemetry", Content(Body(
                    heartbeats: due.Where(e => e.IsHeartbeat).Select(e => e.Json),
                    transactions: due.Where(e => !e.IsHeartbeat).Select(e => e.Json))));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                var result = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(due.Count, result.GetProperty("accepted").GetInt32());
                await factory.RollupsCaughtUpAsync();
            }
            await runner.RunAsync(CancellationToken.None);
        }
    }

    private static LiveTraffic GatewayFault(string gateway, DateTimeOffset from) => new()
    {
        Fault = (_, gw, at) => gw == gateway && at >= from ? (0.5, "timeout", "gateway") : null,
    };

    [Fact]
    public async Task A_gateway_fault_opens_one_incident_stored_published_and_numbered_after_the_last_one()
    {
        await using var factory = new DetectionFactory();
        var fleet = LiveTraffic.Fleet();
        await factory.PutFleetAsync(fleet);
        var repo = factory.Services.GetRequiredService<IncidentRepository>();
        // An incident from before: the sequence continues after it.
        await repo.UpsertAsync(TestIncidents.GatewayOutage("inc-000041", Start.AddDays(-1), [], Start.AddDays(-1).AddHours(1)),
            Core.Fleet.Fleet.FromDocument(fleet), CancellationToken.None);
        var published = new List<(IncidentChangeKind, Incident)>();
        using var _ = factory.Services.GetRequiredService<IncidentFeed>().Subscribe((k, i) => published.Add((k, i)));
        var faultAt = Start.AddMinutes(10);
        var traffic = GatewayFault("gw-b", faultAt);
        var pending = new Queue<TestEvent>(traffic.Generate(fleet, Start, Start.AddMinutes(14)));
        var runner = factory.Services.GetRequiredService<DetectionRunner>();

        await RunUntil(factory, runner, pending, Start.AddMinutes(13));

        var open = await repo.OpenAsync(CancellationToken.None);
        var incident = Assert.Single(open);
        Assert.Equal(("inc-000042", Cause.Gateway, ScopeType.Gateway, "gw-b"), (incident.Id, incident.Cause, incident.ScopeType, incident.ScopeId));
        Assert.True(incident.OpenedAt - faultAt < TimeSpan.FromMinutes(2), $"opened {incident.OpenedAt - faultAt} after the fault");
        Assert.Equal(4, incident.AffectedMerchantIds.Count);
        Assert.Contains((IncidentChangeKind.Opened, incident.Id), published.Select(p => (p.Item1, p.Item2.Id)));

        var detail = await factory.AdminClient().GetFromJsonAsync<JsonElement>("/api/v1/incidents/inc-000042");
        Assert.Equal("opened", detail.GetProperty("timeline")[0].GetProperty("kind").GetString());
        Assert.Equal("gw-b", detail.GetProperty("scopeId").GetString());
    }

    [Fact]
    public async Task A_restarted_runner_adopts_the_open_incident_and_resumes_with_saved_baselines()
    {
        await using var factory = new DetectionFactory();
        var fleet = LiveTraffic.Fleet();
        await factory.PutFleetAsync(fleet);
        var repo = factory.Services.GetRequiredService<IncidentRepository>();
        var faultAt = Start.AddMinutes(10);
        var traffic = new LiveTraffic
        {
            Fault = (terminal, gw, at) =>
                gw == "gw-b" && at >= faultAt ? (0.5, "timeout", "gateway")
                : terminal.StartsWith("T-east-2-", StringComparison.Ordinal) && at >= Start.AddMinutes(14) ? (0.6, "timeout", "connect")
                : null,
        };
        var pending = new Queue<TestEvent>(traffic.Generate(fleet, Start, Start.AddMinutes(18)));
        var first = factory.Services.GetRequiredService<DetectionRunner>();
        await RunUntil(factory, first, pending, Start.AddMinutes(13));
        Assert.Single(await repo.OpenAsync(CancellationToken.None));
        await first.SaveBaselinesAsync(CancellationToken.None);

        // A restart: a new runner with a new engine over the same database.
        var second = ActivatorUtilities.CreateInstance<DetectionRunner>(factory.Services);
        await RunUntil(factory, second, pending, Start.AddMinutes(17));

        var all = await repo.ListAsync(new Features.Identity.Viewer(true, null, false), IncidentStatus.All, null, 100, CancellationToken.None);
        Assert.True(all.Count == 2, string.Join("\n", all.Select(i => $"{i.Id} {i.Title}")));
        // gw-b was adopted (not reopened); m-east-2 opened within the 5-minute warm-up, so the baselines came back.
        Assert.Equal([("inc-000002", "m-east-2"), ("inc-000001", "gw-b")], all.Select(i => (i.Id, i.ScopeId)));
        Assert.All(all, i => Assert.Null(i.ResolvedAt));
        await using var db = new SqliteConnection($"Data Source={factory.DatabasePath}");
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM detection_baselines"));
    }

    [Fact]
    public async Task An_incident_adopted_by_the_next_leader_is_resolved_by_it_once_the_fault_ends()
    {
        await using var factory = new DetectionFactory();
        var fleet = LiveTraffic.Fleet();
        await factory.PutFleetAsync(fleet);
        var repo = factory.Services.GetRequiredService<IncidentRepository>();
        var (faultAt, faultEnds) = (Start.AddMinutes(10), Start.AddMinutes(15));
        var traffic = new LiveTraffic { Fault = (_, gw, at) => gw == "gw-b" && at >= faultAt && at < faultEnds ? (0.5, "timeout", "gateway") : null };
        var pending = new Queue<TestEvent>(traffic.Generate(fleet, Start, Start.AddMinutes(40)));
        var published = new List<(IncidentChangeKind Kind, string Id)>();
        using var _ = factory.Services.GetRequiredService<IncidentFeed>().Subscribe((k, i) => published.Add((k, i.Id)));
        var leader = factory.Services.GetRequiredService<DetectionRunner>();
        await RunUntil(factory, leader, pending, Start.AddMinutes(13));
        var opened = Assert.Single(await repo.OpenAsync(CancellationToken.None));
        await leader.SaveBaselinesAsync(CancellationToken.None);

        // The leader is gone mid-fault; the next one starts over the same database and takes the ticks from here.
        var next = ActivatorUtilities.CreateInstance<DetectionRunner>(factory.Services);
        await RunUntil(factory, next, pending, Start.AddMinutes(35));

        var incident = await repo.GetAsync(opened.Id, new Features.Identity.Viewer(true, null, false), CancellationToken.None);
        Assert.NotNull(incident?.ResolvedAt);
        Assert.InRange(incident!.ResolvedAt!.Value, faultEnds, faultEnds.AddMinutes(15));
        Assert.Empty(await repo.OpenAsync(CancellationToken.None));
        Assert.Equal([(IncidentChangeKind.Opened, opened.Id), (IncidentChangeKind.Resolved, opened.Id)],
            published.Where(p => p.Kind is IncidentChangeKind.Opened or IncidentChangeKind.Resolved));
    }

    [Fact]
    public async Task Runs_go_on_while_the_baseline_save_one_of_them_started_waits_for_the_database_and_no_second_save_starts()
    {
        await using var factory = new DetectionFactory();
        factory.Extra["PosMonitor:Detection:BaselineSaveInterval"] = "00:00:30";
        var fleet = LiveTraffic.Fleet();
        await factory.PutFleetAsync(fleet);
        var pending = new Queue<TestEvent>(new LiveTraffic().Generate(fleet, Start, Start.AddMinutes(2)));
        var runner = factory.Services.GetRequiredService<DetectionRunner>();
        await RunUntil(factory, runner, pending, Start.AddMinutes(2));
        await runner.BackgroundSave;

        // Another connection holds the database's write lock: a save started now waits for it.
        await using var other = new SqliteConnection($"Data Source={factory.DatabasePath}");
        await other.OpenAsync();
        var savedBefore = await other.ExecuteScalarAsync<long>("SELECT saved_at FROM detection_baselines WHERE id = 1");
        await using var writeLock = await other.BeginTransactionAsync();
        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        var snapshotAt = factory.Clock.GetUtcNow();
        await runner.RunAsync(CancellationToken.None);
        var save = runner.BackgroundSave;
        Assert.False(save.IsCompleted, "the run waited for its baseline save to be written");

        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        await runner.RunAsync(CancellationToken.None);
        Assert.Same(save, runner.BackgroundSave);
        Assert.False(save.IsCompleted);

        await writeLock.RollbackAsync();
        await save;
        var savedAt = await other.ExecuteScalarAsync<long>("SELECT saved_at FROM detection_baselines WHERE id = 1");
        Assert.True(savedAt > savedBefore);
        Assert.Equal(Web.Infrastructure.Data.DbTime.ToMs(snapshotAt), savedAt);
    }

    [Fact]
    public async Task An_incident_an_agent_resolves_on_another_node_is_dropped_by_the_leaders_engine_which_reopens_it_while_the_fault_goes_on()
    {
        await using var factory = new DetectionFactory();
        var fleet = LiveTraffic.Fleet();
        await factory.PutFleetAsync(fleet);
        var repo = factory.Services.GetRequiredService<IncidentRepository>();
        // This node leads a cluster's detection in a term of its own (the factory's portal itself runs single-node).
        var lease = await factory.Services.GetRequiredService<ClusterStore>().TryAcquireAsync("node-a", factory.Clock.GetUtcNow(), TimeSpan.FromDays(1), CancellationToken.None);
        var leadership = new DetectionLeadership(Options.Create(new ClusterOptions { Enabled = true, NodeName = "node-a", LeaseDuration = TimeSpan.FromDays(1) }), factory.Clock);
        leadership.Held(lease.Token, factory.Clock.GetTimestamp());
        var leader = ActivatorUtilities.CreateInstance<DetectionRunner>(factory.Services, leadership);
        var published = new List<(IncidentChangeKind Kind, string Id)>();
        using var _ = factory.Services.GetRequiredService<IncidentFeed>().Subscribe((k, i) => published.Add((k, i.Id)));
        var pending = new Queue<TestEvent>(GatewayFault("gw-b", Start.AddMinutes(10)).Generate(fleet, Start, Start.AddMinutes(20)));
        await RunUntil(factory, leader, pending, Start.AddMinutes(13));
        var opened = Assert.Single(await repo.OpenAsync(CancellationToken.None));

        // Another node's agent resolves it: in the database only, this node's engine hears nothing of it.
        var at = factory.Clock.GetUtcNow();
        await repo.SaveByHandAsync(new IncidentChange(IncidentChangeKind.Resolved, opened with { ResolvedAt = at, UpdatedAt = at }),
            Core.Fleet.Fleet.FromDocument(fleet), CancellationToken.None);
        published.Clear();
        await RunUntil(factory, leader, pending, Start.AddMinutes(18));

        // Dropped as resolved, then the fault still seen reopened it (an engine that still held it open would only update it).
        Assert.Equal([(IncidentChangeKind.Reopened, opened.Id)], published.Where(p => p.Kind != IncidentChangeKind.Updated).Distinct());
        Assert.Equal([opened.Id], await repo.OpenIdsAsync(CancellationToken.None));
        var kinds = (await repo.EventsAsync(opened.Id, CancellationToken.None)).Select(e => e.Kind).ToList();
        Assert.True(kinds.IndexOf("resolved_by_hand") < kinds.IndexOf("reopened"), string.Join(", ", kinds));
        Assert.Equal(lease.Token, await new SqliteConnection($"Data Source={factory.DatabasePath}")
            .ExecuteScalarAsync<long>("SELECT lease_token FROM incidents WHERE id = @Id", new { opened.Id }));
    }

    [Fact]
    public async Task The_job_is_scheduled_at_the_configured_interval_without_overlap_or_catch_up_bursts()
    {
        await using var factory = new DetectionFactory();
        factory.Extra["PosMonitor:Detection:Enabled"] = "true";
        factory.Extra["PosMonitor:Detection:Interval"] = "00:00:20";
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        var trigger = Assert.IsType<ISimpleTrigger>(await scheduler.GetTrigger(new TriggerKey("DetectIncidentsJob-trigger")), exactMatch: false);
        var job = await scheduler.GetJobDetail(new JobKey("DetectIncidentsJob"));

        Assert.Equal(TimeSpan.FromSeconds(20), trigger.RepeatInterval);
        Assert.Equal(MisfireInstruction.SimpleTrigger.RescheduleNextWithRemainingCount, trigger.MisfireInstruction);
        Assert.NotNull(job);
        Assert.True(job.ConcurrentExecutionDisallowed);
        Assert.Equal(typeof(DetectIncidentsJob), job.JobType);
    }

    [Fact]
    public async Task Detection_off_schedules_no_job()
    {
        await using var factory = new DetectionFactory();
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        Assert.DoesNotContain(new JobKey("DetectIncidentsJob"), await scheduler.GetJobKeys(GroupMatcher<JobKey>.AnyGroup()));
    }

    [Fact]
    public void Invalid_detection_settings_stop_start_up_with_a_message_naming_them()
    {
        using var factory = new DetectionFactory();
        factory.Extra["PosMonitor:Detection:ShortWindow"] = "00:00:10";
        factory.Extra["PosMonitor:Detection:MinRatio"] = "0.5";

        var e = Assert.ThrowsAny<Exception>(() => factory.Services);

        var messages = string.Join(" | ", Chain(e).Select(x => x.Message));
        Assert.Contains("PosMonitor:Detection is invalid", messages);
        Assert.Contains("ShortWindow must be at least one minute", messages);
        Assert.Contains("MinRatio must be at least 1", messages);
    }

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }
}
