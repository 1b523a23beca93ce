namespace PosMonitor.Web.Infrastructure.Data;

/// <summary>A page of a server-side grid: search text, one sort column, and the window.</summary>
public sealed record GridQuery(string? Search, string? SortBy, bool Descending, int Skip, int Take)
{
    public string SearchPattern => string.IsNullOrWhiteSpace(Search) ? "%" : $"%{Search.Trim()}%";

    /// <summary>
    /// The ORDER BY fragment for <see cref="SortBy"/>: only names in <paramref name="columns"/> reach the
    /// SQL, mapped to their column, so sorting never concatenates user input.
    /// </summary>
    public string OrderBy(IReadOnlyDictionary<string, string> columns, string fallback) =>
        (SortBy is not null && columns.TryGetValue(SortBy, out var column) ? column : fallback)
        + (Descending ? " DESC" : " ASC");
}

public sealed record GridPage<T>(IReadOnlyList<T> Items, int Total);

/// <summary>SQL with an {ORDER} slot filled from <see cref="GridQuery.OrderBy"/> and a dialect's paging.</summary>
public static class Paging
{
    public const string OrderSlot = "{ORDER}";

    public static string Page(string sql, string orderBy) => sql.Replace(OrderSlot, orderBy, StringComparison.Ordinal);

    public static SqlText Paged(string selectWithoutOrder) => new(
        selectWithoutOrder + $"\nORDER BY {OrderSlot}\nLIMIT @Take OFFSET @Skip;",
        selectWithoutOrder + $"\nORDER BY {OrderSlot}\nOFFSET @Skip ROWS FETCH NEXT @Take ROWS ONLY;");
}
