using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Api;

namespace PosMonitor.Web.Features.Heatmap;

/// <summary>The heatmap cells the caller may see: <c>{ by, minutes, cells: [{ row, minute, transactions, timeouts }] }</c>.</summary>
public sealed record HeatmapResponse(string By, int Minutes, IReadOnlyList<HeatmapCell> Cells);

/// <summary><c>GET /api/v1/heatmap?by=region|merchant|gateway|firmware&amp;minutes=60</c> (read scopes).</summary>
public static class HeatmapApi
{
    public static IEndpointRouteBuilder MapHeatmapApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/heatmap").RequireAuthorization(ApiPolicies.Read).WithTags("Heatmap")
            .MapGet("/", GetHeatmap);
        return app;
    }

    /// <param name="by">Defaults to region.</param>
    /// <param name="minutes">1 to 240, defaults to 60; minutes with no sales have no cell.</param>
    public static Results<Ok<HeatmapResponse>, ProblemHttpResult> GetHeatmap(string? by, string? minutes, HttpContext http, HeatmapService heatmap)
    {
        var problems = new List<string>();
        var view = HeatmapBy.Region;
        if (by is not null && !HeatmapDimensions.TryParse(by, out view))
            problems.Add("by: must be one of region, merchant, gateway, firmware");
        var window = 60;
        if (minutes is not null && (!int.TryParse(minutes, NumberStyles.None, CultureInfo.InvariantCulture, out window)
                                    || window < 1 || window > HeatmapService.WindowMinutes))
            problems.Add($"minutes: must be a whole number from 1 to {HeatmapService.WindowMinutes}");
        if (problems.Count > 0) return ApiProblems.Validation("The heatmap request is invalid", problems);

        var cells = heatmap.Cells(Viewer.From(http.User), view, window);
        return TypedResults.Ok(new HeatmapResponse(HeatmapDimensions.Name(view), window, cells));
    }
}
