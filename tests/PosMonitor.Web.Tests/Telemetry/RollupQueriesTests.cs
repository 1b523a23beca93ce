using System.Text.Json;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Telemetry;

public sealed class RollupQueriesTests
{
    private static readonly DateTimeOffset Minute = new(2026, 11, 25, 8, 29, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Streamed_minutes_hold_every_column_as_the_listed_ones_do(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var full = new TerminalMinute("T-000001", Minute)
        {
            Transactions = 9, Approved = 4, Declined = 1, Timeouts = 2, Errors = 1, Cancelled = 1, LatencySumMs = 12_345, LatencyMaxMs = 4_100,
            StageMsSamples = 7, SlowHost = 1, SlowGateway = 2, AmountSumMinor = 98_765, AmountCount = 8, Heartbeats = 2, NetLatencySumMs = 310,
            NetLatencyMaxMs = 200, PacketLossSumPct = 1.25, PacketLossMaxPct = 0.75, SignalMinDbm = -97, CpuMaxPct = 88, MemoryMaxPct = 71,
            PrinterFaults = 1, ScannerFaults = 1, Restarts = 1, PendingOfflineMax = 3,
        };
        for (var s = 0; s < TerminalMinute.StageCount; s++)
        {
            full.TimeoutsByStage[s] = s + 1;
            full.ErrorsByStage[s] = 2 * s;
            full.StageMsSum[s] = 1_000L * s + 3;
        }
        // A heartbeat-only row: nullable columns stay NULL.
        var sparse = new TerminalMinute("T-000002", Minute) { Heartbeats = 1 };
        await new TelemetryStore(database.Db, new RecentEventKeys()).WriteRollupsAsync(
            new RollupChunk([full, sparse], [], [], FoldedTo: 1, Completes: true), CancellationToken.None);
        var rollups = new RollupQueries(database.Db);

        var listed = await rollups.MinutesAsync(Minute, Minute.AddMinutes(1), CancellationToken.None);
        var streamed = new List<TerminalMinute>();
        await foreach (var row in rollups.StreamMinutesAsync(Minute, Minute.AddMinutes(1), CancellationToken.None)) streamed.Add(row);

        Assert.Equal(2, streamed.Count);
        Assert.Equal(Json(full), Json(streamed.Single(r => r.TerminalId == "T-000001")));
        Assert.Equal(listed.OrderBy(r => r.TerminalId).Select(Json), streamed.OrderBy(r => r.TerminalId).Select(Json));
        Assert.Null(streamed.Single(r => r.TerminalId == "T-000002").SignalMinDbm);
    }

    /// <summary>What SQLite plans for the start-up's reads of the newest minutes: a seek by minute, whatever the table's size.</summary>
    [Theory]
    [InlineData("RollupQueries.SelectWindow")]
    [InlineData("RollupQueries.SelectCounts")]
    public async Task The_start_up_s_reads_seek_their_minutes(string statement)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var sql = Infrastructure.TSqlParseTests.RepositoryStatements()[statement].Sqlite;
        await using var c = await database.Db.OpenAsync();

        var plan = string.Join("\n", (await Dapper.SqlMapper.QueryAsync<(long, long, long, string Detail)>(c, "EXPLAIN QUERY PLAN " + sql,
            new { From = 0L, To = 1L })).Select(r => r.Detail));

        Assert.Contains("USING PRIMARY KEY (minute>? AND minute<?)", plan);
        Assert.DoesNotContain("SCAN", plan);
    }

    private static string Json(TerminalMinute m) => JsonSerializer.Serialize(m);
}
