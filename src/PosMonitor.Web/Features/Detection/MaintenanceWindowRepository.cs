using System.Globalization;
using Dapper;
using PosMonitor.Core;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Detection;

/// <summary>A stored maintenance window: the rule detection applies, and who planned it and why.</summary>
public sealed record MaintenanceWindowEntry(MaintenanceWindow Window, string Reason, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>
/// Planned maintenance windows (定期维护). Detection reads them every evaluation, so a window added
/// or deleted here takes effect at the next check; nothing else needs to be told.
/// </summary>
/// <remarks>
/// For the admin UI: build a <see cref="MaintenanceWindow"/> (Id may be empty: one is assigned),
/// show <see cref="Validate"/>'s problems, then <see cref="AddAsync"/>; list with
/// <see cref="ListAsync"/>; remove with <see cref="DeleteAsync"/>. Windows are not edited in place:
/// delete and add again. One-off windows: <see cref="MaintenanceWindow.StartsAt"/> and
/// <see cref="MaintenanceWindow.EndsAt"/> (UTC). Daily/weekly: <see cref="MaintenanceWindow.LocalStart"/>,
/// <see cref="MaintenanceWindow.Duration"/> (whole minutes), weekly also
/// <see cref="MaintenanceWindow.Weekdays"/>, optionally <see cref="MaintenanceWindow.TimeZone"/>.
/// </remarks>
public sealed class MaintenanceWindowRepository(Db db, TimeProvider time)
{
    public const int MaxReasonLength = 500;

    /// <summary>Every window, newest first.</summary>
    public async Task<IReadOnlyList<MaintenanceWindowEntry>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(db.Sql(SelectAll), cancellationToken: ct));
        return rows.Select(r => r.ToEntry()).ToList();
    }

    public async Task<MaintenanceWindowEntry?> GetAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(db.Sql(SelectOne), new { Id = id }, cancellationToken: ct));
        return row?.ToEntry();
    }

    /// <summary>The windows detection must consider at <paramref name="now"/>: all but those that ended before it.</summary>
    public async Task<IReadOnlyList<MaintenanceWindow>> ForDetectionAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(db.Sql(SelectCurrent), new { Now = DbTime.ToMs(now) }, cancellationToken: ct));
        return rows.Select(r => r.ToEntry().Window).ToList();
    }

    /// <summary>
    /// Stores a window after <see cref="Validate"/>; an empty <see cref="MaintenanceWindow.Id"/> gets a
    /// fresh "mw-…" id. Throws <see cref="ArgumentException"/> listing the problems when invalid.
    /// </summary>
    /// <param name="createdBy">The user name or key id that planned it (shown in the list).</param>
    public async Task<MaintenanceWindowEntry> AddAsync(MaintenanceWindow window, string reason, string createdBy, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(window.Id)) window = window with { Id = "mw-" + Guid.NewGuid().ToString("N")[..12] };
        var problems = Validate(window).ToList();
        if (string.IsNullOrWhiteSpace(reason)) problems.Add("a reason is required");
        else if (reason.Length > MaxReasonLength) problems.Add($"the reason must be at most {MaxReasonLength} characters");
        if (string.IsNullOrWhiteSpace(createdBy)) problems.Add("createdBy is required");
        if (problems.Count > 0) throw new ArgumentException("Invalid maintenance window: " + string.Join("; ", problems), nameof(window));

        var entry = new MaintenanceWindowEntry(window, reason.Trim(), createdBy, time.GetUtcNow());
        await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Insert), Row.From(entry), tx, cancellationToken: ct)), ct);
        return entry;
    }

    /// <summary>Removes a window; false when there was none with that id.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken ct) =>
        await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Delete), new { Id = id }, tx, cancellationToken: ct)), ct) > 0;

    /// <summary>Everything wrong with a window, in words an admin can act on; empty when it can be stored.</summary>
    public static IReadOnlyList<string> Validate(MaintenanceWindow w)
    {
        var problems = new List<string>();
        if (!Identifier.IsValid(w.Id)) problems.Add("the id must be 1-64 characters from [A-Za-z0-9._:-]");
        if (w.ScopeType == ScopeType.Platform ? w.ScopeId != "platform" : !Identifier.IsValid(w.ScopeId))
            problems.Add(w.ScopeType == ScopeType.Platform ? "a platform window's scope id is \"platform\"" : "the scope id must be a valid id");
        if (w.TimeZone is not null && !TimeZones.TryFind(w.TimeZone, out _)) problems.Add($"unknown time zone {w.TimeZone}");
        if (w.Recurrence == MaintenanceRecurrence.None)
        {
            if (w.StartsAt is not { } s || w.EndsAt is not { } e) problems.Add("a one-off window needs a start and an end");
            else if (e <= s) problems.Add("the end must be after the start");
        }
        else
        {
            var longest = w.Recurrence == MaintenanceRecurrence.Daily ? TimeSpan.FromDays(1) : TimeSpan.FromDays(7);
            if (w.Duration <= TimeSpan.Zero || w.Duration > longest)
                problems.Add($"the duration must be positive and at most {longest.TotalHours:0} hours");
            else if (w.Duration.Ticks % TimeSpan.TicksPerMinute != 0) problems.Add("the duration must be whole minutes");
            if (w.LocalStart.Second != 0 || w.LocalStart.Millisecond != 0) problems.Add("the local start must be whole minutes (HH:MM)");
            if (w.Recurrence == MaintenanceRecurrence.Weekly && w.Weekdays.Count == 0) problems.Add("a weekly window needs at least one weekday");
            if (w is { StartsAt: { } from, EndsAt: { } until } && until <= from) problems.Add("the end of the rule must be after its start");
        }
        return problems;
    }

    public static string KindName(MaintenanceRecurrence r) => r switch
    {
        MaintenanceRecurrence.Daily => "daily",
        MaintenanceRecurrence.Weekly => "weekly",
        _ => "one-off",
    };

    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    // Binds by property so Dapper converts INT and BIGINT columns alike (the dialects differ).
    private sealed class Row
    {
        public string Id { get; init; } = "";
        public string ScopeType { get; init; } = "";
        public string ScopeId { get; init; } = "";
        public string Kind { get; init; } = "";
        public long? StartsAt { get; init; }
        public long? EndsAt { get; init; }
        public string? LocalStart { get; init; }
        public long? DurationMinutes { get; init; }
        public string? Weekdays { get; init; }
        public string? TimeZone { get; init; }
        public string Reason { get; init; } = "";
        public string CreatedBy { get; init; } = "";
        public long CreatedAt { get; init; }

        public static Row From(MaintenanceWindowEntry e)
        {
            var w = e.Window;
            var recurring = w.Recurrence != MaintenanceRecurrence.None;
            return new Row
            {
                Id = w.Id,
                ScopeType = Causes.Name(w.ScopeType),
                ScopeId = w.ScopeId,
                Kind = KindName(w.Recurrence),
                StartsAt = w.StartsAt is { } s ? DbTime.ToMs(s) : null,
                EndsAt = w.EndsAt is { } en ? DbTime.ToMs(en) : null,
                LocalStart = recurring ? w.LocalStart.ToString("HH:mm", CultureInfo.InvariantCulture) : null,
                DurationMinutes = recurring ? (long)w.Duration.TotalMinutes : null,
                Weekdays = w.Recurrence == MaintenanceRecurrence.Weekly
                    ? string.Join(",", w.Weekdays.Distinct().Order().Select(d => DayNames[(int)d])) : null,
                TimeZone = w.TimeZone,
                Reason = e.Reason,
                CreatedBy = e.CreatedBy,
                CreatedAt = DbTime.ToMs(e.CreatedAt),
            };
        }

        public MaintenanceWindowEntry ToEntry() => new(new MaintenanceWindow
        {
            Id = Id,
            ScopeType = Causes.TryParse(ScopeType, out ScopeType st) ? st : Core.Incidents.ScopeType.Platform,
            ScopeId = ScopeId,
            Recurrence = Kind switch { "daily" => MaintenanceRecurrence.Daily, "weekly" => MaintenanceRecurrence.Weekly, _ => MaintenanceRecurrence.None },
            StartsAt = DbTime.FromMs(StartsAt),
            EndsAt = DbTime.FromMs(EndsAt),
            LocalStart = LocalStart is { } ls ? TimeOnly.ParseExact(ls, "HH:mm", CultureInfo.InvariantCulture) : default,
            Duration = TimeSpan.FromMinutes(DurationMinutes ?? 0),
            Weekdays = (Weekdays ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(d => (DayOfWeek)Array.IndexOf(DayNames, d)).Where(d => (int)d >= 0).ToList(),
            TimeZone = TimeZone,
        }, Reason, CreatedBy, DbTime.FromMs(CreatedAt));
    }

    private const string Columns =
        """
        id AS Id, scope_type AS ScopeType, scope_id AS ScopeId, kind AS Kind, starts_at AS StartsAt, ends_at AS EndsAt,
        local_start AS LocalStart, duration_minutes AS DurationMinutes, weekdays AS Weekdays, time_zone AS TimeZone,
        reason AS Reason, created_by AS CreatedBy, created_at AS CreatedAt
        """;

    private static readonly SqlText SelectAll = SqlText.Same($"SELECT {Columns} FROM maintenance_windows ORDER BY created_at DESC, id;");
    private static readonly SqlText SelectOne = SqlText.Same($"SELECT {Columns} FROM maintenance_windows WHERE id = @Id;");
    private static readonly SqlText SelectCurrent = SqlText.Same(
        $"SELECT {Columns} FROM maintenance_windows WHERE ends_at IS NULL OR ends_at > @Now ORDER BY id;");
    private static readonly SqlText Delete = SqlText.Same("DELETE FROM maintenance_windows WHERE id = @Id;");
    private static readonly SqlText Insert = SqlText.Same(
        """
        INSERT INTO maintenance_windows (id, scope_type, scope_id, kind, starts_at, ends_at, local_start, duration_minutes,
                                         weekdays, time_zone, reason, created_by, created_at)
        VALUES (@Id, @ScopeType, @ScopeId, @Kind, @StartsAt, @EndsAt, @LocalStart, @DurationMinutes,
                @Weekdays, @TimeZone, @Reason, @CreatedBy, @CreatedAt);
        """);
}
