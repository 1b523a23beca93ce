using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Operations;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Tests.Heatmap;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Operations;

public sealed class OperationsFiguresTests : IDisposable
{
    private static readonly Viewer Staff = new(true, null, false);
    private readonly LiveServices _live = new();
    private readonly IncidentFeed _feed = new(NullLogger<IncidentFeed>.Instance);
    private readonly OperationsFigures _figures;

    public OperationsFiguresTests() =>
        _figures = new OperationsFigures(_live.Fleet, _live.States, _live.Heatmap, Options.Create(new IngestionOptions()), _live.Time, _feed);

    private Incident Outage(int openedMinutesAgo, int? resolvedMinutesAgo, params string[] terminals)
    {
        var now = _live.Time.GetUtcNow();
        return TestIncidents.Of("inc-" + openedMinutesAgo, ScopeType.Merchant, "m-0001", Cause.Network, Severity.Major, now.AddMinutes(-openedMinutesAgo),
            "network", "outage") with
        {
            ResolvedAt = resolvedMinutesAgo is { } r ? now.AddMinutes(-r) : null, AffectedTerminals = terminals.Length, AffectedTerminalIds = terminals,
        };
    }

    /// <summary>An hour ago 1% timed out everywhere; half an hour ago one terminal had an outage (40%) while another stayed at 1%.</summary>
    private void History()
    {
        var now = _live.Time.GetUtcNow();
        _live.Sales("T-000001", now.AddMinutes(-60), 200, timeouts: 2);
        _live.Sales("T-000002", now.AddMinutes(-30), 100, timeouts: 40);
        _live.Sales("T-000003", now.AddMinutes(-30), 100, timeouts: 1);
    }

    [Fact]
    public void Normal_leaves_out_the_terminals_of_an_incident_resolved_since_while_it_was_open()
    {
        History();
        Assert.Equal(43 / 400.0, _figures.Compute(Staff).RateNormal!.Value, 4); // nothing known: the outage counts

        _feed.Publish(IncidentChangeKind.Resolved, Outage(openedMinutesAgo: 29, resolvedMinutesAgo: 20, "T-000002"));

        // 3 in 300, not 43 in 400: T-000002's outage minutes are out (with the evidence minutes before it opened), T-000003's stay in.
        Assert.Equal(0.01, _figures.Compute(Staff).RateNormal!.Value, 4);
    }

    [Fact]
    public void Normal_leaves_out_an_open_incident_the_caller_knows_of_and_every_terminal_when_it_names_none()
    {
        History();

        Assert.Equal(0.01, _figures.Compute(Staff, [Outage(openedMinutesAgo: 28, resolvedMinutesAgo: null, "T-000002")]).RateNormal!.Value, 4);
        // Naming no terminal, the incident's minutes are out for everyone: only the hour-old sales remain.
        Assert.Equal(0.01, _figures.Compute(Staff, [Outage(openedMinutesAgo: 28, resolvedMinutesAgo: null)]).RateNormal!.Value, 4);
        Assert.Equal(200 + 100, _live.Heatmap.Totals(Staff, OperationsFigures.RecentMinutes,
            [new(_live.Time.GetUtcNow().AddMinutes(-31), _live.Time.GetUtcNow(), ["T-000002"])]).EarlierTransactions);
    }

    public void Dispose() => _figures.Dispose();
}
