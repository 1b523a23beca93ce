using System.Text;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Tests.Heatmap;

namespace PosMonitor.Web.Tests.Telemetry;

/// <summary>The fleet checks of a telemetry request, without a server: the small test fleet (m-0001 owns T-000001/2).</summary>
public sealed class TelemetryFleetCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 30, 0, TimeSpan.Zero);
    private readonly TelemetryFleetCheck _check = new(new LiveServices(Now).Fleet);

    private static TelemetryBatch Parse(IEnumerable<string>? heartbeats = null, IEnumerable<string>? transactions = null) =>
        TelemetryBatch.Read(Encoding.UTF8.GetBytes(TelemetryJson.Body(heartbeats, transactions)), Now, 100);

    [Fact]
    public void An_unregistered_terminal_is_refused_and_a_repeat_within_the_request_is_counted_not_queued()
    {
        var parsed = Parse(heartbeats: [
            TelemetryJson.Heartbeat("hb-1", "T-000001", Now), TelemetryJson.Heartbeat("hb-1", "T-000001", Now),
            TelemetryJson.Heartbeat("hb-2", "T-999999", Now)]);

        var result = _check.Check(parsed, ownMerchant: null);

        Assert.Equal("hb-1", Assert.Single(result.Heartbeats).EventId);
        Assert.Equal(1, result.Duplicates);
        var refused = Assert.Single(result.Rejected);
        Assert.Equal((2, "hb-2", RejectionCodes.UnknownTerminal), (refused.Index, refused.EventId, refused.Code));
    }

    [Fact]
    public void A_merchant_key_may_send_only_for_its_own_terminals()
    {
        var parsed = Parse(heartbeats: [TelemetryJson.Heartbeat("hb-1", "T-000001", Now), TelemetryJson.Heartbeat("hb-2", "T-000003", Now)]);

        var result = _check.Check(parsed, ownMerchant: "m-0001");

        Assert.Equal("T-000001", Assert.Single(result.Heartbeats).TerminalId);
        Assert.Equal(RejectionCodes.OutOfScope, Assert.Single(result.Rejected).Code);
    }

    [Fact]
    public void A_sale_without_a_gateway_takes_its_terminal_s_and_one_naming_an_unknown_gateway_is_refused()
    {
        var parsed = Parse(transactions: [
            TelemetryJson.Sale("tx-1", "T-000003", Now), TelemetryJson.Sale("tx-2", "T-000001", Now, extra: "\"gateway\": \"gw-nowhere\"")]);

        var result = _check.Check(parsed, ownMerchant: null);

        Assert.Equal("gw-alipay", Assert.Single(result.Transactions).Gateway);
        var refused = Assert.Single(result.Rejected);
        Assert.Equal((1, RejectionCodes.InvalidField), (refused.Index, refused.Code));
        Assert.Contains("unknown gateway gw-nowhere", refused.Message);
    }
}
