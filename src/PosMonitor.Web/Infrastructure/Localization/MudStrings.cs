using Microsoft.Extensions.Localization;
using MudBlazor;

namespace PosMonitor.Web.Infrastructure.Localization;

/// <summary>
/// Marker for MudBlazor's own words in our languages (MudStrings.resx holds MudBlazor's English, word for word; the
/// zh-CN file the Chinese): pager, loading, required, close and date-picker labels. MudBlazor ships English only, so
/// Chinese pages said "Rows per page:" and "1-10 of 10".
/// </summary>
public sealed class MudStrings;

/// <summary>Hands MudBlazor the translations of <see cref="MudStrings"/>; a key not there falls back to MudBlazor's English.</summary>
public sealed class MudStringsLocalizer(IStringLocalizer<MudStrings> strings) : MudLocalizer
{
    public override LocalizedString this[string key] => strings[key];
}
