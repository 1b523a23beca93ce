using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;
using PosMonitor.Web.Tests.Notifications;

namespace PosMonitor.Web.Tests.Incidents;

/// <summary>The incident workflow wired by hand on a migrated database with the small fleet and the default runbooks.</summary>
public sealed class TicketHarness : IAsyncDisposable
{
    private TicketHarness(TestDatabase database, FakeTimeProvider clock, NotificationOptions notifications, SlaOptions sla)
    {
        Database = database;
        Clock = clock;
        var db = database.Db;
        Fleet = new FleetRepository(db, clock);
        Cache = new FleetCache(Fleet, new FleetChanges());
        Incidents = new IncidentRepository(db);
        Tickets = new TicketRepository(db);
        Runbooks = new RunbookRepository(db, clock);
        Notices = new MerchantNoticeRepository(db);
        Notifications = new NotificationPipeline(db, notifications, clock);
        Sla = new FixedOptions<SlaOptions>(sla);
        Messages = new MerchantMessages(Cache, Localized.For<NoticeStrings>(), Localized.For<RunbookStrings>(), clock);
        var actions = new IncidentActions([Notifications.Notifier]);
        Workflow = new IncidentTickets(Tickets, Incidents, Runbooks, Notices, actions, Feed, Cache, Detection, Messages,
            clock, NullLogger<IncidentTickets>.Instance);
        Escalation = new IncidentEscalation(Tickets, Incidents, Runbooks, actions, Workflow, Sla, clock);
    }

    public TestDatabase Database { get; }
    public FakeTimeProvider Clock { get; }
    public FleetRepository Fleet { get; }
    public FleetCache Cache { get; }
    public IncidentFeed Feed { get; } = new(Microsoft.Extensions.Logging.Abstractions.NullLogger<IncidentFeed>.Instance);
    public IncidentRepository Incidents { get; }
    public TicketRepository Tickets { get; }
    public RunbookRepository Runbooks { get; }
    public MerchantNoticeRepository Notices { get; }
    public NotificationPipeline Notifications { get; }
    public FixedOptions<SlaOptions> Sla { get; }
    public IncidentTickets Workflow { get; }
    public MerchantMessages Messages { get; }
    /// <summary>Detection as the workflow sees it: what it says fails now, and the resolves handed to it.</summary>
    public ScriptedDetection Detection { get; } = new();
    public IncidentEscalation Escalation { get; }

    public static async Task<TicketHarness> CreateAsync(DatabaseProvider provider = DatabaseProvider.Sqlite, NotificationOptions? notifications = null)
    {
        var h = new TicketHarness(await TestDatabase.CreateAsync(provider), NotificationPipeline.Clock(), notifications ?? new NotificationOptions(), new SlaOptions());
        await h.Fleet.UpsertAsync(TestFleet.Small(), default);
        await h.Cache.ReloadAsync(default);
        await h.Runbooks.SeedAsync(DefaultRunbooks.All);
        return h;
    }

    /// <summary>A critical gateway incident on gw-unionpay touching both merchants, as detection would open it.</summary>
    /// <summary>gw-unionpay at 41 % on T-000001, T-000002 (m-0001) and T-000004 (m-0002), opened now.</summary>
    public Incident GatewayIncident() =>
        TestIncidents.GatewayOutage("inc-000042", Clock.GetUtcNow(), ["T-000001", "T-000002", "T-000004"]) with
        {
            Title = "Gateway gw-unionpay timeouts", Evidence = ["gateway stage timeouts 41 % (baseline 0.4 %)"], PeakRate = 0.41,
        };

    /// <summary>Stores and opens an incident as DetectionRunner does (save, then publish), and lets the feeder handle it.</summary>
    public async Task<Incident> DetectAsync(Incident incident, IncidentChangeKind kind = IncidentChangeKind.Opened)
    {
        await Incidents.SaveAsync([new IncidentChange(kind, incident)], Cache.Current, default);
        await new IncidentTicketsFeeder(Feed, Workflow).HandleAsync(kind, incident, default);
        return incident;
    }

    public async ValueTask DisposeAsync() => await Database.DisposeAsync();
}

/// <summary>
/// Detection reduced to what an agent's resolve asks of it (<see cref="IIncidentWatch"/>): the test says which incident's
/// fault it sees now; resolves handed over are recorded. DetectionRunnerTests run the real one.
/// </summary>
public sealed class ScriptedDetection : IIncidentWatch
{
    public Dictionary<string, FaultNow> Failing { get; } = [];
    public List<(string Id, DateTimeOffset At)> ResolvedByHandCalls { get; } = [];

    public Task<T> BetweenRunsAsync<T>(string incidentId, Func<FaultNow?, Task<T>> change, CancellationToken ct) =>
        change(Failing.GetValueOrDefault(incidentId));

    public void ResolvedByHand(string incidentId, DateTimeOffset at) => ResolvedByHandCalls.Add((incidentId, at));
}
