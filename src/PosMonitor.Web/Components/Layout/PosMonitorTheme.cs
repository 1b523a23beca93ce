using MudBlazor;

namespace PosMonitor.Web.Components.Layout;

public static class PosMonitorTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1565c0",
            Secondary = "#00897b",
            AppbarBackground = "#0d2b4e",
            Background = "#f5f7fa",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#64b5f6",
            Secondary = "#4db6ac",
            AppbarBackground = "#0b1a2c",
            Background = "#10161f",
            Surface = "#18212d",
            DrawerBackground = "#141c27",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["Roboto", "Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica", "Arial", "sans-serif"],
            },
        },
    };
}
