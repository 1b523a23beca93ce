using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Tests.Detection;

public class BaselinesTests
{
    private const double FadeAbove = 50_000;

    /// <summary>Each minute's figures as a terminal or a wide scope reports them: whole counts, failures rarer than sales.</summary>
    private static double[] Minute(Random random, int heartbeats, int salesUpTo)
    {
        var v = new double[Signals.Width];
        v[Signals.Sales] = random.Next(0, salesUpTo + 1);
        v[Signals.HeartbeatMinutes] = heartbeats;
        for (var i = Signals.First; i < Signals.Width; i++) v[i] = random.Next(0, 8) == 0 ? random.Next(0, 1 + (int)v[Signals.Sales] / 4 + 1) : 0;
        return v;
    }

    [Fact]
    public void Compact_figures_read_exactly_what_dense_double_sums_hold_even_after_many_fades()
    {
        // A platform-wide scope (thousands of heartbeat minutes a minute) fades every few minutes, so its sums soon
        // carry more fraction bits than a float holds: it must then read as doubles, not rounded.
        foreach (var (heartbeats, salesUpTo) in new[] { (1, 3), (40, 120), (5_000, 9_000) })
        {
            var random = new Random(heartbeats);
            var compact = new ScopeBaseline(byWeek: true);
            var dense = new double[193 * Signals.Width];
            for (var minute = 0; minute < 3 * 24 * 60; minute++)
            {
                var v = Minute(random, heartbeats, salesUpTo);
                var how = minute / 60 % 168;
                foreach (var block in new[] { ScopeBaseline.AllBlock, ScopeBaseline.HourOfDayBlock(how), ScopeBaseline.HourOfWeekBlock(how) })
                {
                    compact.Add(block, v, FadeAbove);
                    AddDense(dense.AsSpan(block * Signals.Width, Signals.Width), v);
                }
            }
            for (var block = 0; block < 193; block++)
                for (var i = 0; i < Signals.Width; i++)
                    Assert.Equal(dense[block * Signals.Width + i], compact.Get(block, i));
            // A terminal's whole counts stay floats; the platform's many fades do not fit one.
            if (heartbeats == 1) Assert.False(compact.Wide);
            if (heartbeats == 5_000) Assert.True(compact.Wide);
        }
    }

    private static void AddDense(Span<double> block, ReadOnlySpan<double> v)
    {
        for (var i = 0; i < Signals.Width; i++) block[i] += v[i];
        if (block[Signals.Sales] > FadeAbove || block[Signals.HeartbeatMinutes] > FadeAbove)
            for (var i = 0; i < Signals.Width; i++) block[i] /= 2;
    }

    [Fact]
    public void A_terminal_holds_floats_and_only_the_blocks_it_learned_in()
    {
        var b = new ScopeBaseline(byWeek: false);
        var random = new Random(7);
        for (var minute = 0; minute < 90; minute++) b.Add(ScopeBaseline.AllBlock, Minute(random, 1, 3), FadeAbove);
        b.Add(ScopeBaseline.HourOfDayBlock(13), Minute(random, 1, 3), FadeAbove);

        Assert.False(b.Wide);
        Assert.Equal(2, b.LearnedBlocks);
        Assert.Equal(90, b.All(Signals.HeartbeatMinutes));
        Assert.Equal(0, b.Get(ScopeBaseline.HourOfDayBlock(14), Signals.Sales));
        // Two blocks of 13 floats, the block numbers and two bytes of format: a day of minutes in 108 bytes.
        Assert.Equal(2 + 2 + 2 * Signals.Width * sizeof(float), b.Encode().Length);
    }

    [Fact]
    public void A_scope_saved_and_loaded_reads_the_same_in_every_block()
    {
        var random = new Random(3);
        foreach (var (byWeek, heartbeats) in new[] { (false, 1), (true, 40), (true, 5_000) })
        {
            var b = new ScopeBaseline(byWeek);
            for (var minute = 0; minute < 26 * 60; minute += 7)
            {
                var v = Minute(random, heartbeats, 3 * heartbeats);
                b.Add(ScopeBaseline.AllBlock, v, FadeAbove);
                b.Add(ScopeBaseline.HourOfDayBlock(minute / 60), v, FadeAbove);
                if (byWeek) b.Add(ScopeBaseline.HourOfWeekBlock(minute / 60), v, FadeAbove);
            }

            var loaded = ScopeBaseline.Decode(byWeek, b.Encode());

            Assert.NotNull(loaded);
            Assert.Equal(b.Wide, loaded.Wide);
            Assert.Equal(b.LearnedBlocks, loaded.LearnedBlocks);
            for (var block = 0; block < (byWeek ? 193 : 25); block++)
                for (var i = 0; i < Signals.Width; i++)
                    Assert.Equal(b.Get(block, i), loaded.Get(block, i));
        }
    }

    [Fact]
    public void Saved_figures_of_another_shape_are_skipped_not_misread()
    {
        var b = new ScopeBaseline(byWeek: true);
        b.Add(ScopeBaseline.HourOfWeekBlock(100), Minute(new Random(1), 5, 5), FadeAbove);
        var figures = b.Encode();

        Assert.Null(ScopeBaseline.Decode(byWeek: false, figures)); // block 125 is past a terminal's 25
        Assert.Null(ScopeBaseline.Decode(byWeek: true, figures[..^1]));
        Assert.Null(ScopeBaseline.Decode(byWeek: true, [9, 0]));
    }

    [Fact]
    public void An_engine_restored_scope_by_scope_has_the_same_normals_as_the_one_saved()
    {
        var learned = new Baselines(priorFailures: 3);
        var random = new Random(11);
        var start = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        for (var minute = 0; minute < 36 * 60; minute += 3)
        {
            var how = Baselines.HourOfWeek(start.AddMinutes(minute));
            for (var t = 0; t < 20; t++) learned.Learn(ScopeType.Terminal, $"T-{t}", Minute(random, 1, 4), how);
            learned.Learn(ScopeType.Merchant, "m-1", Minute(random, 20, 60), how);
            learned.Learn(ScopeType.Platform, "", Minute(random, 5_000, 9_000), how);
        }
        learned.LearnedThrough = start.AddHours(36);
        learned.LearnedMinutes = 12 * 60;

        var restored = new Baselines(priorFailures: 3);
        Assert.True(restored.Import(learned.Header));
        foreach (var scope in learned.ExportScopes()) restored.ImportScope(scope);

        Assert.Equal(learned.Header, restored.Header);
        foreach (var (type, id) in new[] { (ScopeType.Terminal, "T-0"), (ScopeType.Terminal, "T-19"), (ScopeType.Merchant, "m-1"), (ScopeType.Platform, "") })
            for (var how = 0; how < 168; how++)
                foreach (var signal in Signals.All)
                    Assert.Equal(learned.Normal(learned.Find(type, id), signal, how, 0.01), restored.Normal(restored.Find(type, id), signal, how, 0.01));
    }

    [Fact]
    public void The_whole_fleet_document_older_builds_saved_still_loads()
    {
        var all = new double[Signals.Width];
        all[Signals.Sales] = 1_000;
        all[Signals.HeartbeatMinutes] = 600;
        all[Signals.Index(Signal.Network)] = 12.5;
        var hourOfDay = new double[24 * Signals.Width];
        all.CopyTo(hourOfDay, 9 * Signals.Width);
        var state = new BaselineState
        {
            LearnedThrough = new DateTimeOffset(2026, 3, 2, 9, 59, 0, TimeSpan.Zero),
            LearnedMinutes = 600,
            Scopes = [new ScopeBaselineState(ScopeType.Terminal, "T-1", all, hourOfDay, null)],
        };

        var restored = new Baselines(priorFailures: 3);
        restored.Import(state);

        var b = restored.Find(ScopeType.Terminal, "T-1");
        Assert.NotNull(b);
        Assert.Equal(600, restored.LearnedMinutes);
        Assert.Equal(12.5, b.Get(ScopeBaseline.HourOfDayBlock(9), Signals.Index(Signal.Network)));
        Assert.Equal(2, b.LearnedBlocks); // the 23 hours of zeros take no room
    }
}
