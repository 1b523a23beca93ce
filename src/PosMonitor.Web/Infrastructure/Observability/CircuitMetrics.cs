using Microsoft.AspNetCore.Components.Server.Circuits;

namespace PosMonitor.Web.Infrastructure.Observability;

/// <summary>Counts open Blazor circuits (one per portal tab or wall screen in use).</summary>
internal sealed class CircuitMetrics(PosMonitorMetrics metrics) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken ct)
    {
        metrics.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken ct)
    {
        metrics.CircuitClosed();
        return Task.CompletedTask;
    }
}
