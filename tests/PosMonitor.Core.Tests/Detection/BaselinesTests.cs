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
        // Saved densely: two blocks of 14 floats, the block numbers and two bytes of format, 116 bytes.
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

    /// <summary>A terminal's ordinary minute: a sale or none, a heartbeat, no failure.</summary>
    private static double[] Quiet(int sales)
    {
        var v = new double[Signals.Width];
        v[Signals.Sales] = sales;
        v[Signals.HeartbeatMinutes] = 1;
        return v;
    }

    private static void AssertReadsAsDense(ScopeBaseline b, double[] dense, int blocks)
    {
        for (var block = 0; block < blocks; block++)
            for (var i = 0; i < Signals.Width; i++)
                Assert.Equal(dense[block * Signals.Width + i], b.Get(block, i));
    }

    [Fact]
    public void Only_the_figures_that_are_not_zero_are_held_and_the_rest_read_zero()
    {
        var b = new ScopeBaseline(byWeek: false);
        for (var minute = 0; minute < 120; minute++)
        {
            b.Add(ScopeBaseline.AllBlock, Quiet(minute % 3), FadeAbove);
            b.Add(ScopeBaseline.HourOfDayBlock(9 + minute / 60), Quiet(minute % 3), FadeAbove);
        }

        Assert.Equal(3, b.LearnedBlocks);
        Assert.Equal(3 * 2, b.HeldFigures); // sales and heartbeat minutes of three blocks
        Assert.Equal(120, b.All(Signals.HeartbeatMinutes));
        Assert.Equal(120, b.All(Signals.Sales));
        Assert.Equal(60, b.Get(ScopeBaseline.HourOfDayBlock(10), Signals.HeartbeatMinutes));
        for (var block = 0; block < 25; block++)
            for (var i = Signals.First; i < Signals.Width; i++)
                Assert.Equal(0, b.Get(block, i));
        Assert.Equal(0, b.Get(ScopeBaseline.HourOfDayBlock(11), Signals.Sales));
    }

    [Fact]
    public void A_figure_becoming_nonzero_in_a_block_with_others_held_leaves_every_block_reading_the_same()
    {
        var b = new ScopeBaseline(byWeek: true);
        var dense = new double[193 * Signals.Width];
        void Learn(int block, double[] v)
        {
            b.Add(block, v, FadeAbove);
            AddDense(dense.AsSpan(block * Signals.Width, Signals.Width), v);
        }
        // Three hour blocks of heartbeats and sales, then failures in the middle one: its figures grow around the
        // ones held, and the blocks after it move along.
        foreach (var how in new[] { 30, 31, 32 })
            for (var minute = 0; minute < 5; minute++)
                foreach (var block in new[] { ScopeBaseline.AllBlock, ScopeBaseline.HourOfWeekBlock(how) }) Learn(block, Quiet(2));
        var failures = Quiet(2);
        failures[Signals.Index(Signal.Cancelled)] = 1; // the last figure
        failures[Signals.Index(Signal.Network)] = 2; // the first failure, between heartbeats and the ones held
        Learn(ScopeBaseline.HourOfWeekBlock(31), failures);
        var input = Quiet(0);
        input[Signals.Index(Signal.Input)] = 3; // and a sale-less minute whose only failure lies between the two
        Learn(ScopeBaseline.HourOfWeekBlock(31), input);

        AssertReadsAsDense(b, dense, 193);
        Assert.Equal(4, b.LearnedBlocks);
        Assert.Equal(4 * 2 + 3, b.HeldFigures);
        Assert.Equal(3, b.Get(ScopeBaseline.HourOfWeekBlock(31), Signals.Index(Signal.Input)));
        Assert.Equal(0, b.Get(ScopeBaseline.HourOfWeekBlock(31), Signals.Index(Signal.Host)));
    }

    [Fact]
    public void A_sparse_scope_moving_to_doubles_keeps_every_block_it_held()
    {
        var b = new ScopeBaseline(byWeek: false);
        var dense = new double[25 * Signals.Width];
        var random = new Random(5);
        for (var minute = 0; minute < 4 * 60; minute++)
        {
            var v = Minute(random, 1, 3);
            foreach (var block in new[] { ScopeBaseline.AllBlock, ScopeBaseline.HourOfDayBlock(minute / 60) })
            {
                b.Add(block, v, FadeAbove);
                AddDense(dense.AsSpan(block * Signals.Width, Signals.Width), v);
            }
        }
        Assert.False(b.Wide);

        // A tenth is no float: the whole scope moves to doubles, every sparse block with it.
        var tenth = new double[Signals.Width];
        tenth[Signals.Index(Signal.Gateway)] = 0.1;
        b.Add(ScopeBaseline.HourOfDayBlock(2), tenth, FadeAbove);
        AddDense(dense.AsSpan(ScopeBaseline.HourOfDayBlock(2) * Signals.Width, Signals.Width), tenth);

        Assert.True(b.Wide);
        AssertReadsAsDense(b, dense, 25);
        var loaded = ScopeBaseline.Decode(byWeek: false, b.Encode());
        Assert.NotNull(loaded);
        Assert.True(loaded.Wide);
        AssertReadsAsDense(loaded, dense, 25);
    }

    [Fact]
    public void Learning_in_any_order_with_figures_appearing_fading_and_vanishing_reads_what_dense_doubles_hold()
    {
        // Blocks learned in random order, figures that turn nonzero late, fades, and a figure taken back to zero:
        // every way the held figures of a block can change, against the dense sums they replace.
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var random = new Random(seed);
            var b = new ScopeBaseline(byWeek: true);
            var dense = new double[193 * Signals.Width];
            for (var step = 0; step < 3_000; step++)
            {
                var block = random.Next(0, 8) == 0 ? random.Next(0, 193) : random.Next(0, 6);
                var held = dense.AsSpan(block * Signals.Width, Signals.Width);
                var v = new double[Signals.Width];
                v[Signals.HeartbeatMinutes] = random.Next(0, 3) * 500;
                var i = random.Next(0, Signals.Width);
                v[i] += random.Next(0, 10) switch
                {
                    0 => -held[i], // back to zero
                    1 when seed == 3 => 0.3, // not a float: this seed goes wide
                    < 5 => 0,
                    _ => random.Next(1, 4),
                };
                if (v[Signals.HeartbeatMinutes] == 0 && v[i] == 0) v[Signals.Sales] = 1;
                b.Add(block, v, FadeAbove);
                AddDense(held, v);
            }
            AssertReadsAsDense(b, dense, 193);
            Assert.Equal(seed == 3, b.Wide);
            var loaded = ScopeBaseline.Decode(byWeek: true, b.Encode());
            Assert.NotNull(loaded);
            AssertReadsAsDense(loaded, dense, 193);
            Assert.Equal(b.HeldFigures, loaded.HeldFigures);
        }
    }

    [Fact]
    public void Sparse_blocks_are_saved_with_every_figure_and_saved_again_byte_for_byte_after_loading()
    {
        var b = new ScopeBaseline(byWeek: true);
        for (var minute = 0; minute < 3 * 60; minute += 2)
        {
            var v = Quiet(1);
            if (minute == 70) v[Signals.Index(Signal.Print)] = 1;
            b.Add(ScopeBaseline.AllBlock, v, FadeAbove);
            b.Add(ScopeBaseline.HourOfDayBlock(20 + minute / 60), v, FadeAbove);
            b.Add(ScopeBaseline.HourOfWeekBlock(20 + minute / 60), v, FadeAbove);
        }
        var saved = b.Encode();

        // The saved form is the one rows were written in before: every figure of a block, zeros too.
        Assert.Equal(2 + 7 + 7 * Signals.Width * sizeof(float), saved.Length);
        var loaded = ScopeBaseline.Decode(byWeek: true, saved);
        Assert.NotNull(loaded);
        Assert.Equal(saved, loaded.Encode());
        Assert.Equal(b.HeldFigures, loaded.HeldFigures);
        Assert.Equal(7 * 2 + 3, loaded.HeldFigures); // and the print failure in the all-hours block and both of hour 21
        for (var block = 0; block < 193; block++)
            for (var i = 0; i < Signals.Width; i++)
                Assert.Equal(b.Get(block, i), loaded.Get(block, i));
    }

    [Fact]
    public void Rows_saved_with_dense_blocks_load_sparse_as_floats_or_doubles()
    {
        // Written by hand as Encode wrote them before the figures were held sparsely: format, count, numbers, figures.
        var narrow = new byte[2 + 2 + 2 * Signals.Width * sizeof(float)];
        narrow[0] = 1;
        narrow[1] = 2;
        narrow[2] = (byte)ScopeBaseline.HourOfDayBlock(7);
        narrow[3] = ScopeBaseline.AllBlock;
        void PutFloat(int slot, int i, float f) => BitConverter.TryWriteBytes(narrow.AsSpan(4 + (slot * Signals.Width + i) * sizeof(float)), f);
        PutFloat(0, Signals.HeartbeatMinutes, 60);
        PutFloat(0, Signals.Index(Signal.SlowGateway), 4);
        PutFloat(1, Signals.Sales, 1_000);
        PutFloat(1, Signals.HeartbeatMinutes, 600);

        var b = ScopeBaseline.Decode(byWeek: false, narrow);
        Assert.NotNull(b);
        Assert.False(b.Wide);
        Assert.Equal(4, b.HeldFigures);
        Assert.Equal(4, b.Get(ScopeBaseline.HourOfDayBlock(7), Signals.Index(Signal.SlowGateway)));
        Assert.Equal(0, b.Get(ScopeBaseline.HourOfDayBlock(7), Signals.Sales));
        Assert.Equal(600, b.All(Signals.HeartbeatMinutes));
        Assert.Equal(narrow, b.Encode());

        var wide = new byte[2 + 1 + Signals.Width * sizeof(double)];
        wide[0] = 2;
        wide[1] = 1;
        wide[2] = ScopeBaseline.AllBlock;
        BitConverter.TryWriteBytes(wide.AsSpan(3 + Signals.HeartbeatMinutes * sizeof(double)), 80_000.0);
        BitConverter.TryWriteBytes(wide.AsSpan(3 + Signals.Index(Signal.Host) * sizeof(double)), 2.0);
        var whole = ScopeBaseline.Decode(byWeek: true, wide);
        Assert.NotNull(whole);
        Assert.False(whole.Wide); // every figure a float: held as floats, as before
        Assert.Equal(2, whole.All(Signals.Index(Signal.Host)));

        BitConverter.TryWriteBytes(wide.AsSpan(3 + Signals.Index(Signal.Host) * sizeof(double)), 2.0 / 3);
        var fraction = ScopeBaseline.Decode(byWeek: true, wide);
        Assert.NotNull(fraction);
        Assert.True(fraction.Wide);
        Assert.Equal(2.0 / 3, fraction.All(Signals.Index(Signal.Host)));
        Assert.Equal(80_000, fraction.All(Signals.HeartbeatMinutes));
        Assert.Equal(2, fraction.HeldFigures);
        Assert.Equal(wide, fraction.Encode());
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
