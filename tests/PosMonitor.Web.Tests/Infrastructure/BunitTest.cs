using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>bUnit base: MudBlazor registered with transitions off and loose JS interop (as MudBlazor's own tests).</summary>
public abstract class BunitTest : BunitContext
{
    // bUnit waits 1 s by default; on CI's two busy cores the renderer's dispatcher can be that late.
    static BunitTest() => DefaultWaitTimeout = TimeSpan.FromSeconds(10);

    protected BunitTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddLocalization();
        Services.AddSingleton<PosMonitor.Web.Infrastructure.Localization.CountText>();
        Services.AddMudServices(o =>
        {
            o.SnackbarConfiguration.ShowTransitionDuration = 0;
            o.SnackbarConfiguration.HideTransitionDuration = 0;
            o.PopoverOptions.CheckForPopoverProvider = false;
        });
        Services.AddSingleton(TimeProvider.System);
        // Pages show times in their reader's zone; UTC unless a test says otherwise.
        Services.AddScoped(_ => new PosMonitor.Web.Infrastructure.Time.DisplayTime(TimeZoneInfo.Utc));
    }
}
