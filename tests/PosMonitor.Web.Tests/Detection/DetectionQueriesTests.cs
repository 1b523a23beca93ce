using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Detection;

/// <summary>Saving and loading detection baselines. Runs on SQLite always and on SQL Server when POSMONITOR_TEST_SQLSERVER is set.</summary>
public class DetectionQueriesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    /// <summary>A baseline's figures per block: sales, heartbeat minutes and twelve signals (the engine's layout 3).</summary>
    private const int Width = 14;

    private static DetectionEngine Engine() => new(new DetectionSettings(), new FakeTimeProvider(T0), new SequentialIncidentIdGenerator(0));

    /// <summary>What an engine learned, as older builds saved it: each terminal's figures its own, a merchant by hour of week.</summary>
    private static BaselineState Learned(int terminals)
    {
        var scopes = new List<ScopeBaselineState>();
        for (var t = 0; t < terminals; t++)
        {
            var all = new double[Width];
            (all[0], all[1], all[2 + t % 11]) = (100 + t, 60, t % 7 + 0.5);
            var hourOfDay = new double[24 * Width];
            all.CopyTo(hourOfDay, t % 24 * Width);
            scopes.Add(new ScopeBaselineState(ScopeType.Terminal, $"T-{t:D4}", all, hourOfDay, null));
        }
        var merchant = new double[Width];
        (merchant[0], merchant[1], merchant[3]) = (40_000.125, 1_200, 17);
        var byWeek = new double[168 * Width];
        merchant.CopyTo(byWeek, 100 * Width);
        scopes.Add(new ScopeBaselineState(ScopeType.Merchant, "m-0001", merchant, new double[24 * Width], byWeek));
        return new BaselineState { LearnedThrough = T0.AddMinutes(-2), LearnedMinutes = 1_440, Scopes = scopes };
    }

    private static DetectionEngine EngineThatLearned(int terminals)
    {
        var engine = Engine();
        engine.ImportBaselines(Learned(terminals));
        return engine;
    }

    private static Dictionary<(ScopeType, string), byte[]> Figures(DetectionEngine engine) =>
        engine.ExportScopeBaselines().ToDictionary(s => (s.ScopeType, s.ScopeId), s => s.Figures);

    private static void AssertSameBaselines(DetectionEngine expected, DetectionEngine actual)
    {
        Assert.Equal(expected.BaselineHeader, actual.BaselineHeader);
        var want = Figures(expected);
        var got = Figures(actual);
        Assert.Equal(want.Keys.Order(), got.Keys.Order());
        foreach (var (scope, figures) in want) Assert.Equal(figures, got[scope]);
    }

    private static async Task<long> ScopeRowsAsync(Db db)
    {
        await using var c = await db.OpenAsync();
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM detection_scope_baselines");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_scope_loads_back_as_it_was_saved(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var queries = new DetectionQueries(database.Db) { SaveBatch = 7 };
        var saved = EngineThatLearned(terminals: 30);

        await queries.SaveBaselinesAsync(saved.BaselineHeader, saved.ExportScopeBaselines(), T0, None);
        var loaded = Engine();
        var restored = await queries.LoadBaselinesAsync(loaded, None);

        Assert.Equal(new LoadedBaselines(1_440, 31), restored);
        AssertSameBaselines(saved, loaded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_save_commits_its_rows_in_batches_while_the_scopes_are_still_being_read(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var queries = new DetectionQueries(database.Db) { SaveBatch = 10 };
        var engine = EngineThatLearned(terminals: 40);
        var committedBefore = new List<long>();

        // The export is read one scope at a time; how many rows another connection sees before each of them is read.
        IEnumerable<SavedScopeBaseline> Watched()
        {
            foreach (var scope in engine.ExportScopeBaselines())
            {
                committedBefore.Add(ScopeRowsAsync(database.Db).GetAwaiter().GetResult());
                yield return scope;
            }
        }
        await queries.SaveBaselinesAsync(engine.BaselineHeader, Watched(), T0, None);

        // Before scope i is read, every full batch of 10 among the i already read is committed.
        Assert.Equal(Enumerable.Range(0, 41).Select(i => (long)(i / 10 * 10)), committedBefore);
        Assert.Equal(41, await ScopeRowsAsync(database.Db));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_new_save_replaces_the_last_one_and_removes_its_rows(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var queries = new DetectionQueries(database.Db) { SaveBatch = 4 };
        var first = EngineThatLearned(terminals: 25);
        await queries.SaveBaselinesAsync(first.BaselineHeader, first.ExportScopeBaselines(), T0, None);

        var second = EngineThatLearned(terminals: 9);
        await queries.SaveBaselinesAsync(second.BaselineHeader, second.ExportScopeBaselines(), T0.AddMinutes(5), None);

        Assert.Equal(10, await ScopeRowsAsync(database.Db));
        var loaded = Engine();
        await queries.LoadBaselinesAsync(loaded, None);
        AssertSameBaselines(second, loaded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_whole_fleet_document_an_older_build_saved_still_loads_until_the_next_save(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var state = Learned(terminals: 12);
        await using (var c = await database.Db.OpenAsync())
            await c.ExecuteAsync("INSERT INTO detection_baselines (id, state, saved_at) VALUES (1, @State, 0)",
                new { State = JsonSerializer.Serialize(state) });
        var queries = new DetectionQueries(database.Db);

        var loaded = Engine();
        Assert.Equal(new LoadedBaselines(1_440, 13), await queries.LoadBaselinesAsync(loaded, None));
        AssertSameBaselines(EngineThatLearned(terminals: 12), loaded);

        await queries.SaveBaselinesAsync(loaded.BaselineHeader, loaded.ExportScopeBaselines(), T0, None);
        var again = Engine();
        await queries.LoadBaselinesAsync(again, None);
        AssertSameBaselines(loaded, again);
        await using var check = await database.Db.OpenAsync();
        Assert.NotNull(await check.ExecuteScalarAsync<long?>("SELECT generation FROM detection_baselines WHERE id = 1"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Nothing_saved_loads_as_nothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        Assert.Null(await new DetectionQueries(database.Db).LoadBaselinesAsync(Engine(), None));
    }
}
