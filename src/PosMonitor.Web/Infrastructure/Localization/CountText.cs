using Microsoft.Extensions.Localization;

namespace PosMonitor.Web.Infrastructure.Localization;

/// <summary>
/// "1 merchant", "3 terminals": counts of what an incident affects, in the reader's language. English needs the
/// singular ("1 merchants" read wrong on every single-shop incident); the resources hold both forms.
/// </summary>
public sealed class CountText(IStringLocalizer<Strings> l)
{
    public string Merchants(int n) => l[n == 1 ? "Count_merchant_one" : "Count_merchant_other", n];

    public string Terminals(int n) => l[n == 1 ? "Count_terminal_one" : "Count_terminal_other", n];
}
