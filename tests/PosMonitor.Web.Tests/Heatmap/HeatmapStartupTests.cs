using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Heatmap;

/// <summary>The heatmap's start: the newest minutes before ready, the rest of the window after, each sale counted once.</summary>
public sealed class HeatmapStartupTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 30, 20, TimeSpan.Zero);
    private static readonly DateTimeOffset Earlier = new(2026, 11, 25, 7, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LastMinute = new(2026, 11, 25, 8, 29, 0, TimeSpan.Zero);
    private static readonly Viewer Staff = new(true, null, false);

    private TestDatabase _database = null!;
    private readonly FakeTimeProvider _time = new(Now);
    private readonly TelemetryFeed _feed = new(NullLogger<TelemetryFeed>.Instance);
    private readonly ApplicationLifetime _lifetime = new(NullLogger<ApplicationLifetime>.Instance);
    private FleetCache _fleet = null!;
    private TelemetryStore _store = null!;
    private HeatmapService _heatmap = null!;
    private long _stamp;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        _fleet = new FleetCache(new FleetRepository(_database.Db, _time), new FleetChanges());
        _fleet.Replace(Core.Fleet.Fleet.FromDocument(TestFleet.Small()));
        _store = new TelemetryStore(_database.Db, new RecentEventKeys(), fleet: _fleet);
        _heatmap = new HeatmapService(_fleet, new TerminalStateCache(_database.Db), _time, Options.Create(new HeatmapOptions()),
            NullLogger<HeatmapService>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        _feed.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Minutes_committed_while_the_history_loads_are_counted_once()
    {
        await CommitAsync(Sales("T-000001", Earlier, 10, 2), publish: false);
        await CommitAsync(Sales("T-000001", LastMinute, 4, 0), publish: false);
        var log = new FakeLogger<HeatmapStartup>();
        var startup = new HeatmapStartup(_heatmap, new RollupQueries(_database.Db), _feed, _time, _lifetime, log);

        await startup.StartAsync(CancellationToken.None);

        // Ready: the newest minutes are in, the hour-old one is still to come, and the page is told so.
        Assert.Equal((4, 0), Cell(LastMinute));
        Assert.Equal((0, 0), Cell(Earlier));
        Assert.NotNull(_heatmap.HistoryLoadingBefore);
        Assert.Contains(log.Collector.GetSnapshot(), r => r.Message.StartsWith($"Start-up step heatmap's newest {HeatmapStartup.ReadyMinutes} min took"));

        // Served now: a terminal's late sales for that hour-old minute are committed (the feed) and written (the rollups) before it is read.
        await CommitAsync(Sales("T-000001", Earlier, 3, 1), publish: true);
        await CommitAsync(Sales("T-000001", LastMinute, 1, 1), publish: true);
        _lifetime.NotifyStarted();
        await startup.History.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((13, 3), Cell(Earlier));
        Assert.Equal((5, 1), Cell(LastMinute));
        Assert.Null(_heatmap.HistoryLoadingBefore);
        Assert.Contains(log.Collector.GetSnapshot(), r => r.Message.StartsWith("Start-up step heatmap's history (") && r.Message.Contains("min, after start) took"));
        await startup.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Stopping_before_the_portal_started_ends_the_history_read()
    {
        await CommitAsync(Sales("T-000001", Earlier, 10, 2), publish: false);
        var startup = new HeatmapStartup(_heatmap, new RollupQueries(_database.Db), _feed, _time, _lifetime, NullLogger<HeatmapStartup>.Instance);
        await startup.StartAsync(CancellationToken.None);

        await startup.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(startup.History.IsCompletedSuccessfully);
    }

    private (int Transactions, int Timeouts) Cell(DateTimeOffset minute)
    {
        var cell = _heatmap.Cells(Staff, HeatmapBy.Region, HeatmapService.WindowMinutes)
            .SingleOrDefault(c => c.Row == "east" && c.Minute == minute.UtcDateTime);
        return cell is null ? (0, 0) : (cell.Transactions, cell.Timeouts);
    }

    private static RollupDelta Sales(string terminal, DateTimeOffset minute, int sales, int timeouts)
    {
        var delta = new RollupDelta();
        delta.Minutes[(terminal, minute)] = new TerminalMinute(terminal, minute) { Transactions = sales, Timeouts = timeouts };
        return delta;
    }

    /// <summary>As the writer does: the rollup row added to (and, for a commit after start, the change on the feed first).</summary>
    private async Task CommitAsync(RollupDelta delta, bool publish)
    {
        if (publish)
        {
            _feed.Publish(delta);
            await _feed.DeliveredAsync();
        }
        await _store.WriteRollupsAsync(new RollupChunk([.. delta.Minutes.Values], [], [], ++_stamp, Completes: true), CancellationToken.None);
    }
}
