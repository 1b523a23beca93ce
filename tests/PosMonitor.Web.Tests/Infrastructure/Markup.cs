namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>Patterns for served pages.</summary>
public static class Markup
{
    /// <summary>A MudBlazor chart's element, not the stylesheet MudBlazor ships with every page.</summary>
    public const string Chart = "class=\"mud-chart[ \"]";
}
