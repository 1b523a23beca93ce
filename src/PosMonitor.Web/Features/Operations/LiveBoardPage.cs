using Microsoft.AspNetCore.Components;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Features.Operations;

/// <summary>
/// What the operations dashboard and the wall share: the open incidents of <see cref="OpenIncidentBoard"/>, reloaded when
/// an incident or its ticket changes, and the page's figures recomputed on each coalesced heatmap tick, both on the page's
/// own thread.
/// </summary>
public abstract class LiveBoardPage : ComponentBase, IDisposable
{
    [Inject] protected HeatmapService Heatmap { get; set; } = default!;
    [Inject] protected OpenIncidentBoard Open { get; set; } = default!;

    private IDisposable? _ticks, _incidentChanges;

    /// <summary>Recomputes the page's figures from memory (the heatmap and <see cref="Open"/>).</summary>
    protected abstract void Recompute();

    /// <summary>Loads the open incidents <paramref name="viewer"/> may see and recomputes, then follows ticks and changes until <see cref="StopFollowing"/>.</summary>
    protected async Task FollowAsync(Viewer viewer)
    {
        await Open.LoadAsync(viewer, CancellationToken.None);
        Recompute();
        _ticks = Heatmap.Subscribe(_ => InvokeAsync(() =>
        {
            Recompute();
            StateHasChanged();
        }));
        _incidentChanges = Open.Subscribe(() => InvokeAsync(async () =>
        {
            await Open.LoadAsync(viewer, CancellationToken.None);
            Recompute();
            StateHasChanged();
        }));
    }

    protected void StopFollowing()
    {
        _ticks?.Dispose();
        _incidentChanges?.Dispose();
        _ticks = _incidentChanges = null;
    }

    public virtual void Dispose() => StopFollowing();
}
