using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Infrastructure.Observability;
using PosMonitor.Web.Tests.Infrastructure;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Observability;

public class TracesTests(PosMonitorFactory factory) : IClassFixture<PosMonitorFactory>, IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await factory.PutFleetAsync(TestFleet.Small());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task An_ingestion_request_is_traced_with_what_it_stored()
    {
        using var spans = new Spans(factory, "ingest telemetry");
        var id = "e-" + Guid.NewGuid().ToString("N").Replace('0', 'x').Replace('1', 'y');

        var response = await factory.AdminClient().PostAsync("/api/v1/telemetry",
            Content(Body(heartbeats: [Heartbeat(id, "T-000001", DateTimeOffset.UtcNow)], transactions: [Sale("e-unknown", "T-999999", DateTimeOffset.UtcNow)])));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var span = await spans.First;
        Assert.Equal(2, span.GetTagItem("posmonitor.telemetry.events"));
        Assert.Equal(1, span.GetTagItem("posmonitor.telemetry.accepted"));
        Assert.Equal(1, span.GetTagItem("posmonitor.telemetry.rejected"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task A_detection_tick_is_traced_with_what_it_changed()
    {
        using var spans = new Spans(factory, "detection tick");

        await factory.Services.GetRequiredService<DetectionRunner>().RunAsync(CancellationToken.None);

        var span = await spans.First;
        Assert.Equal(0, span.GetTagItem("posmonitor.detection.changes"));
        Assert.NotNull(span.GetTagItem("posmonitor.detection.problems"));
    }

    /// <summary>The first finished span of this portal's activity source with the given name (not another test's portal's).</summary>
    private sealed class Spans : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly TaskCompletionSource<Activity> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Spans(PosMonitorFactory factory, string name)
        {
            var source = factory.Services.GetRequiredService<PosMonitorMetrics>().ActivitySource;
            _listener = new ActivityListener
            {
                ShouldListenTo = s => ReferenceEquals(s, source),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a => { if (a.DisplayName == name) _first.TrySetResult(a); },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        // A guard against a hang, not a wait for time: the span ends before its request answers or its run returns.
        public Task<Activity> First => _first.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public void Dispose() => _listener.Dispose();
    }
}
