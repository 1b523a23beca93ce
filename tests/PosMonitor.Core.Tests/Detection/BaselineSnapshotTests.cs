using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Tests.Detection;

/// <summary>A baseline save written while the engine goes on learning still holds the figures of the moment it was taken.</summary>
public class BaselineSnapshotTests
{
    private static double[] Minute(int sales, int heartbeats = 1)
    {
        var v = new double[Signals.Width];
        v[Signals.Sales] = sales;
        v[Signals.HeartbeatMinutes] = heartbeats;
        v[Signals.First] = 1;
        return v;
    }

    private static Baselines Learned(int scopes)
    {
        var baselines = new Baselines(priorFailures: 3) { LearnedThrough = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero), LearnedMinutes = 60 };
        for (var s = 0; s < scopes; s++) baselines.Learn(ScopeType.Terminal, $"T-{s}", Minute(sales: 1 + s), hourOfWeek: 33);
        baselines.Learn(ScopeType.Merchant, "M-1", Minute(sales: 7, heartbeats: 3), hourOfWeek: 33);
        return baselines;
    }

    private static Dictionary<(ScopeType, string), string> Encoded(IEnumerable<SavedScopeBaseline> scopes) =>
        scopes.ToDictionary(s => (s.ScopeType, s.ScopeId), s => Convert.ToHexString(s.Figures));

    [Fact]
    public void Scopes_learned_into_while_the_snapshot_is_written_are_saved_as_they_were_when_it_was_taken()
    {
        var baselines = Learned(scopes: 50);
        var expected = Encoded(baselines.ExportScopes());
        var header = baselines.Header;

        using var snapshot = baselines.Snapshot();
        var written = new List<SavedScopeBaseline>();
        var learning = 0;
        foreach (var saved in snapshot.Scopes())
        {
            written.Add(saved);
            // The engine's next minutes, between the rows the writer takes: into scopes written already, scopes not
            // written yet, and a scope that did not exist when the snapshot was taken.
            baselines.Learn(ScopeType.Terminal, $"T-{learning++ % 50}", Minute(sales: 100), hourOfWeek: 34);
            baselines.Learn(ScopeType.Terminal, $"T-{(learning * 7) % 50}", Minute(sales: 200), hourOfWeek: 33);
            baselines.Learn(ScopeType.Merchant, "M-1", Minute(sales: 300, heartbeats: 3), hourOfWeek: 33);
            baselines.Learn(ScopeType.Terminal, $"T-new-{learning}", Minute(sales: 5), hourOfWeek: 33);
            baselines.LearnedMinutes++;
        }

        Assert.Equal(header, snapshot.Header);
        Assert.Equal(expected, Encoded(written));
        // And the engine did learn: what it exports now differs from the snapshot.
        Assert.NotEqual(expected[(ScopeType.Merchant, "M-1")], Encoded(baselines.ExportScopes())[(ScopeType.Merchant, "M-1")]);
    }

    [Fact]
    public void One_snapshot_at_a_time_and_learning_after_it_is_disposed_copies_nothing_more()
    {
        var baselines = Learned(scopes: 3);
        var first = baselines.Snapshot();
        Assert.Throws<InvalidOperationException>(() => baselines.Snapshot());

        first.Dispose();
        baselines.Learn(ScopeType.Terminal, "T-0", Minute(sales: 9), hourOfWeek: 33);
        Assert.Throws<ObjectDisposedException>(() => first.Scopes().ToList());
        using var second = baselines.Snapshot();
        Assert.Equal(Encoded(baselines.ExportScopes()), Encoded(second.Scopes()));
    }

    [Fact]
    public void An_engine_snapshot_holds_what_its_export_holds()
    {
        var engine = new DetectionEngine(new DetectionSettings(), TimeProvider.System, new SequentialIncidentIdGenerator());
        engine.ImportBaselines(new BaselineHeader(Baselines.LayoutVersion, DateTimeOffset.UnixEpoch, 90));
        var source = Learned(scopes: 5);
        foreach (var saved in source.ExportScopes()) engine.ImportScopeBaseline(saved);

        using var snapshot = engine.SnapshotBaselines();

        Assert.Equal(engine.BaselineHeader, snapshot.Header);
        Assert.Equal(Encoded(engine.ExportScopeBaselines()), Encoded(snapshot.Scopes()));
        Assert.Equal(6, snapshot.Count);
    }
}
