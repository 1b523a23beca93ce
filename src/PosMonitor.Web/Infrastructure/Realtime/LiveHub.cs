using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Infrastructure.Realtime;

/// <summary>
/// <c>/hubs/live</c> of src/PosMonitor.Web/Features/Telemetry/telemetry-api.md: a window onto the heatmap and incident feeds. Which groups
/// a connection joins follows from its identity (<see cref="Viewer"/>) alone.
/// </summary>
[Authorize(Policy = ApiPolicies.Live)]
public sealed class LiveHub(LiveConnections connections, LiveGroups groups) : Hub
{
    public const string Path = "/hubs/live";
    public const string HeatmapUpdated = nameof(HeatmapUpdated);
    public const string IncidentOpened = nameof(IncidentOpened);
    public const string IncidentUpdated = nameof(IncidentUpdated);
    private const string ViewKey = "heatmap-view";

    public override async Task OnConnectedAsync()
    {
        var viewer = Viewer.From(Context.User!);
        if (LiveGroups.ScopeOf(viewer) is not { } scope)
        {
            Context.Abort();
            return;
        }
        connections.Add(Context);
        Context.Items[ViewKey] = HeatmapBy.Region;
        await Groups.AddToGroupAsync(Context.ConnectionId, groups.Heatmap(HeatmapBy.Region, scope));
        await Groups.AddToGroupAsync(Context.ConnectionId, groups.Incidents(scope));
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>Switches this connection's heatmap updates to <c>region</c>, <c>merchant</c>, <c>gateway</c> or <c>firmware</c>.</summary>
    public async Task SubscribeHeatmap(string by)
    {
        if (!HeatmapDimensions.TryParse(by, out var view))
            throw new HubException("by must be one of region, merchant, gateway, firmware");
        var scope = LiveGroups.ScopeOf(Viewer.From(Context.User!)) ?? throw new HubException("Not allowed");
        if (Context.Items.TryGetValue(ViewKey, out var current) && current is HeatmapBy old && old != view)
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, groups.Heatmap(old, scope));
        Context.Items[ViewKey] = view;
        await Groups.AddToGroupAsync(Context.ConnectionId, groups.Heatmap(view, scope));
    }
}

/// <summary>Open hub connections by API key, so revoking a key closes its live connections at once.</summary>
public sealed class LiveConnections
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _byConnection = new();

    // A singleton: its subscription lasts as long as the repository's.
    public LiveConnections(ApiKeyRepository keys) => keys.SubscribeRevoked(CloseKey);

    public int Count => _byConnection.Count;

    public void Add(HubCallerContext context) => _byConnection[context.ConnectionId] = context;

    public void Remove(HubCallerContext context) => _byConnection.TryRemove(context.ConnectionId, out _);

    private void CloseKey(string keyId)
    {
        foreach (var context in _byConnection.Values)
            if (context.User?.FindFirst(PosClaims.KeyId)?.Value == keyId)
                context.Abort();
    }
}
