using Dapper;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Incidents;

public sealed record PostIncidentReview(string Summary, string Impact, string FollowUps);

/// <summary>Support's side of an incident (incident_tickets).</summary>
public sealed record Ticket(
    string IncidentId, TicketStatus Status, string RunbookId, int RunbookVersion, bool Manual, string? Assignee,
    DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, DateTimeOffset? MitigatedAt, DateTimeOffset? ResolvedAt, string? ResolvedBy,
    int EscalationLevel, Cause? ConfirmedCause, string? ConfirmedNote, string? ConfirmedBy, PostIncidentReview? Review,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A ticked (<see cref="Done"/>) or skipped runbook step: who, when, and why it was skipped.</summary>
public sealed record StepMark(int Index, bool Done, string? Reason, string By, DateTimeOffset At);

/// <summary>An agent's note or an action on the ticket, for the timeline.</summary>
public sealed record TicketNote(DateTimeOffset At, string Kind, string Text, string Author);

/// <summary>Kinds of <see cref="TicketNote"/>.</summary>
public static class NoteKinds
{
    public const string Note = "note";
    public const string Status = "status";
    public const string Assign = "assign";
    public const string Step = "step";
    public const string Escalation = "escalation";
    public const string RootCause = "root_cause";
    public const string Review = "review";
    public const string Notice = "notice";
    /// <summary>A resolve over detection's warning: its figure then, a newline, and the agent's reason.</summary>
    public const string Override = "override";
}

/// <summary>The tables of incident tickets, checklists and notes.</summary>
public sealed partial class TicketRepository(Db db)
{
    /// <summary>Creates the ticket of a new incident; false when it already has one.</summary>
    public Task<bool> EnsureAsync(string incidentId, string runbookId, int runbookVersion, bool manual, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(db.Sql(InsertTicket), new
        {
            IncidentId = incidentId, Status = LifecycleName(TicketStatus.Open), RunbookId = runbookId, RunbookVersion = runbookVersion,
            Manual = manual, Now = DbTime.ToMs(now),
        }, tx, cancellationToken: ct)) == 1, ct);

    public async Task<Ticket?> GetAsync(string incidentId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<TicketRow>(new CommandDefinition(db.Sql(SelectOne), new { Id = incidentId }, cancellationToken: ct)))?.ToTicket();
    }

    /// <summary>Tickets not resolved, and those resolved at or after <paramref name="resolvedSince"/>.</summary>
    public async Task<IReadOnlyList<Ticket>> ListAsync(DateTimeOffset resolvedSince, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<TicketRow>(new CommandDefinition(db.Sql(SelectActive), new { Since = DbTime.ToMs(resolvedSince) }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToTicket())];
    }

    /// <summary>Tickets of incidents opened in [from, to), with their incident's opening time and severity and cause.</summary>
    public async Task<IReadOnlyList<(Ticket Ticket, DateTimeOffset OpenedAt, Severity Severity, Cause Cause)>> OpenedBetweenAsync(
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<TicketRow>(new CommandDefinition(db.Sql(SelectOpenedBetween),
            new { From = DbTime.ToMs(from), To = DbTime.ToMs(to) }, cancellationToken: ct));
        return [.. rows.Select(r => (r.ToTicket(), DbTime.FromMs(r.OpenedAt), Parse<Severity>(r.SeverityName), Parse<Cause>(r.CauseName)))];
    }

    /// <summary>
    /// Moves the ticket through <see cref="IncidentLifecycle"/>. The update is conditional on the
    /// status read, so two agents clicking at once cannot both win; the loser is told it was refused.
    /// </summary>
    public Task<Transition> TransitionAsync(string incidentId, TicketAction action, string by, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var current = await c.ExecuteScalarAsync<string?>(new CommandDefinition(db.Sql(SelectStatus), new { Id = incidentId }, tx, cancellationToken: ct))
                ?? throw new KeyNotFoundException($"There is no ticket for incident {incidentId}.");
            IncidentLifecycle.TryParse(current, out var from);
            var t = IncidentLifecycle.Apply(from, action);
            if (!t.Allowed) return t;
            var changed = await c.ExecuteAsync(new CommandDefinition(db.Sql(UpdateStatus), new
            {
                Id = incidentId, From = current, To = LifecycleName(t.To!.Value), By = by, Now = DbTime.ToMs(now),
                Ack = t.To is TicketStatus.Acknowledged or TicketStatus.Mitigated or TicketStatus.Resolved,
                Mitigated = t.To == TicketStatus.Mitigated,
                Resolved = t.To == TicketStatus.Resolved,
                Reopen = action == TicketAction.Reopen,
            }, tx, cancellationToken: ct));
            if (changed != 1) return t with { To = null, Refusal = Refusal.AlreadyResolved };
            await AddNoteAsync(c, tx, incidentId, NoteKinds.Status, LifecycleName(t.To.Value), by, now, ct);
            return t;
        }, ct);

    public Task AssignAsync(string incidentId, string? assignee, string by, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(db.Sql(UpdateAssignee), new { Id = incidentId, Assignee = assignee, Now = DbTime.ToMs(now) }, tx, cancellationToken: ct));
            await AddNoteAsync(c, tx, incidentId, NoteKinds.Assign, assignee ?? "", by, now, ct);
        }, ct);

    /// <summary>Ticks (<paramref name="done"/>) or skips a step; a skip needs a reason. Marking again replaces the mark.</summary>
    public Task MarkStepAsync(string incidentId, int index, bool done, string? reason, string by, DateTimeOffset now, CancellationToken ct)
    {
        if (!done && string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("Skipping a step needs a reason.", nameof(reason));
        return db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(db.Sql(DeleteStep), new { Id = incidentId, Index = index }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(db.Sql(InsertStep), new
            {
                Id = incidentId, Index = index, State = done ? "done" : "skipped", Reason = done ? null : reason!.Trim(), By = by, Now = DbTime.ToMs(now),
            }, tx, cancellationToken: ct));
            await AddNoteAsync(c, tx, incidentId, NoteKinds.Step, $"{index + 1}:{(done ? "done" : "skipped")}{(done ? "" : ":" + reason!.Trim())}", by, now, ct);
        }, ct);
    }

    public Task UnmarkStepAsync(string incidentId, int index, string by, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(db.Sql(DeleteStep), new { Id = incidentId, Index = index }, tx, cancellationToken: ct));
            await AddNoteAsync(c, tx, incidentId, NoteKinds.Step, $"{index + 1}:undone", by, now, ct);
        }, ct);

    public async Task<IReadOnlyList<StepMark>> StepsAsync(string incidentId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<StepRow>(new CommandDefinition(db.Sql(SelectSteps), new { Id = incidentId }, cancellationToken: ct));
        return [.. rows.Select(r => new StepMark((int)r.StepIndex, r.State == "done", r.Reason, r.DoneBy, DbTime.FromMs(r.DoneAt)))];
    }

    public Task AddNoteAsync(string incidentId, string kind, string text, string by, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync((c, tx) => AddNoteAsync(c, tx, incidentId, kind, text, by, now, ct), ct);

    public async Task<IReadOnlyList<TicketNote>> NotesAsync(string incidentId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<NoteRow>(new CommandDefinition(db.Sql(SelectNotes), new { Id = incidentId }, cancellationToken: ct));
        return [.. rows.Select(r => new TicketNote(DbTime.FromMs(r.At), r.Kind, r.Text, r.Author))];
    }

    /// <summary>The root cause the agent confirmed; the detected cause stays on the incident.</summary>
    public Task ConfirmCauseAsync(string incidentId, Cause cause, string? note, string by, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(db.Sql(UpdateCause), new
            {
                Id = incidentId, Cause = Causes.Name(cause), Note = note, By = by, Now = DbTime.ToMs(now),
            }, tx, cancellationToken: ct));
            await AddNoteAsync(c, tx, incidentId, NoteKinds.RootCause, $"{Causes.Name(cause)}{(string.IsNullOrWhiteSpace(note) ? "" : ": " + note.Trim())}", by, now, ct);
        }, ct);

    public Task SaveReviewAsync(string incidentId, PostIncidentReview review, string by, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(db.Sql(UpdateReview), new
            {
                Id = incidentId, review.Summary, review.Impact, review.FollowUps, Now = DbTime.ToMs(now),
            }, tx, cancellationToken: ct));
            await AddNoteAsync(c, tx, incidentId, NoteKinds.Review, review.Summary, by, now, ct);
        }, ct);

    /// <summary>Raises the escalation level to <paramref name="level"/>; false when it was already there (each level once).</summary>
    public Task<bool> EscalateAsync(string incidentId, int level, string text, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var raised = await c.ExecuteAsync(new CommandDefinition(db.Sql(UpdateEscalation),
                new { Id = incidentId, Level = level, Now = DbTime.ToMs(now) }, tx, cancellationToken: ct)) == 1;
            if (raised) await AddNoteAsync(c, tx, incidentId, NoteKinds.Escalation, text, "system", now, ct);
            return raised;
        }, ct);

    private Task AddNoteAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string incidentId, string kind, string text, string by,
        DateTimeOffset now, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(db.Sql(InsertNote), new { Id = incidentId, At = DbTime.ToMs(now), Kind = kind, Text = text, Author = by }, tx, cancellationToken: ct));

    public static string LifecycleName(TicketStatus s) => IncidentLifecycle.Name(s);

    private static T Parse<T>(string s) where T : struct, Enum
    {
        if (typeof(T) == typeof(Cause)) return Causes.TryParse(s, out Cause c) ? (T)(object)c : default;
        return Causes.TryParse(s, out Severity v) ? (T)(object)v : default;
    }

    private sealed class StepRow
    {
        public long StepIndex { get; init; }
        public string State { get; init; } = "";
        public string? Reason { get; init; }
        public string DoneBy { get; init; } = "";
        public long DoneAt { get; init; }
    }

    private sealed class NoteRow
    {
        public long At { get; init; }
        public string Kind { get; init; } = "";
        public string Text { get; init; } = "";
        public string Author { get; init; } = "";
    }

    private sealed class TicketRow
    {
        public string IncidentId { get; init; } = "";
        public string Status { get; init; } = "";
        public string RunbookId { get; init; } = "";
        public long RunbookVersion { get; init; }
        public bool Manual { get; init; }
        public string? Assignee { get; init; }
        public long? AcknowledgedAt { get; init; }
        public string? AcknowledgedBy { get; init; }
        public long? MitigatedAt { get; init; }
        public long? ResolvedAt { get; init; }
        public string? ResolvedBy { get; init; }
        public long EscalationLevel { get; init; }
        public string? ConfirmedCause { get; init; }
        public string? ConfirmedNote { get; init; }
        public string? ConfirmedBy { get; init; }
        public string? ReviewSummary { get; init; }
        public string? ReviewImpact { get; init; }
        public string? ReviewFollowUps { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
        // Joined from incidents for the figures.
        public long OpenedAt { get; init; }
        public string SeverityName { get; init; } = "";
        public string CauseName { get; init; } = "";

        public Ticket ToTicket() => new(
            IncidentId, IncidentLifecycle.TryParse(Status, out var s) ? s : TicketStatus.Open, RunbookId, (int)RunbookVersion, Manual, Assignee,
            DbTime.FromMs(AcknowledgedAt), AcknowledgedBy, DbTime.FromMs(MitigatedAt), DbTime.FromMs(ResolvedAt), ResolvedBy, (int)EscalationLevel,
            Causes.TryParse(ConfirmedCause, out Cause c) ? c : null, ConfirmedNote, ConfirmedBy,
            ReviewSummary is null ? null : new PostIncidentReview(ReviewSummary, ReviewImpact ?? "", ReviewFollowUps ?? ""),
            DbTime.FromMs(CreatedAt), DbTime.FromMs(UpdatedAt));
    }

    private const string Columns = """
        t.incident_id AS IncidentId, t.status AS Status, t.runbook_id AS RunbookId, t.runbook_version AS RunbookVersion,
        t.manual AS Manual, t.assignee AS Assignee, t.acknowledged_at AS AcknowledgedAt, t.acknowledged_by AS AcknowledgedBy,
        t.mitigated_at AS MitigatedAt, t.resolved_at AS ResolvedAt, t.resolved_by AS ResolvedBy, t.escalation_level AS EscalationLevel,
        t.confirmed_cause AS ConfirmedCause, t.confirmed_note AS ConfirmedNote, t.confirmed_by AS ConfirmedBy,
        t.review_summary AS ReviewSummary, t.review_impact AS ReviewImpact, t.review_follow_ups AS ReviewFollowUps,
        t.created_at AS CreatedAt, t.updated_at AS UpdatedAt
        """;

    private static readonly SqlText InsertTicket = new(
        """
        INSERT INTO incident_tickets (incident_id, status, runbook_id, runbook_version, manual, created_at, updated_at)
        VALUES (@IncidentId, @Status, @RunbookId, @RunbookVersion, @Manual, @Now, @Now)
        ON CONFLICT (incident_id) DO NOTHING;
        """,
        """
        INSERT INTO incident_tickets (incident_id, status, runbook_id, runbook_version, manual, created_at, updated_at)
        SELECT @IncidentId, @Status, @RunbookId, @RunbookVersion, @Manual, @Now, @Now
        WHERE NOT EXISTS (SELECT 1 FROM incident_tickets WITH (UPDLOCK, HOLDLOCK) WHERE incident_id = @IncidentId);
        """);

    private static readonly SqlText SelectOne = SqlText.Same($"SELECT {Columns} FROM incident_tickets t WHERE t.incident_id = @Id;");

    private static readonly SqlText SelectActive = SqlText.Same(
        $"SELECT {Columns} FROM incident_tickets t WHERE t.status <> 'resolved' OR t.resolved_at >= @Since;");

    private static readonly SqlText SelectOpenedBetween = SqlText.Same($"""
        SELECT {Columns}, i.opened_at AS OpenedAt, i.severity AS SeverityName, i.cause AS CauseName
        FROM incident_tickets t JOIN incidents i ON i.id = t.incident_id
        WHERE i.opened_at >= @From AND i.opened_at < @To;
        """);

    private static readonly SqlText SelectStatus = new(
        "SELECT status FROM incident_tickets WHERE incident_id = @Id;",
        "SELECT status FROM incident_tickets WITH (UPDLOCK, HOLDLOCK) WHERE incident_id = @Id;");

    // Acknowledging (or skipping past it) records the first acknowledgement only; reopening clears resolution.
    private static readonly SqlText UpdateStatus = SqlText.Same("""
        UPDATE incident_tickets SET status = @To, updated_at = @Now,
            acknowledged_at = CASE WHEN @Ack = 1 AND acknowledged_at IS NULL THEN @Now ELSE acknowledged_at END,
            acknowledged_by = CASE WHEN @Ack = 1 AND acknowledged_at IS NULL THEN @By ELSE acknowledged_by END,
            mitigated_at = CASE WHEN @Mitigated = 1 THEN @Now WHEN @Reopen = 1 THEN NULL ELSE mitigated_at END,
            resolved_at = CASE WHEN @Resolved = 1 THEN @Now WHEN @Reopen = 1 THEN NULL ELSE resolved_at END,
            resolved_by = CASE WHEN @Resolved = 1 THEN @By WHEN @Reopen = 1 THEN NULL ELSE resolved_by END
        WHERE incident_id = @Id AND status = @From;
        """);

    private static readonly SqlText UpdateAssignee = SqlText.Same(
        "UPDATE incident_tickets SET assignee = @Assignee, updated_at = @Now WHERE incident_id = @Id;");

    private static readonly SqlText UpdateCause = SqlText.Same("""
        UPDATE incident_tickets SET confirmed_cause = @Cause, confirmed_note = @Note, confirmed_by = @By, updated_at = @Now
        WHERE incident_id = @Id;
        """);

    private static readonly SqlText UpdateReview = SqlText.Same("""
        UPDATE incident_tickets SET review_summary = @Summary, review_impact = @Impact, review_follow_ups = @FollowUps, updated_at = @Now
        WHERE incident_id = @Id;
        """);

    private static readonly SqlText UpdateEscalation = SqlText.Same("""
        UPDATE incident_tickets SET escalation_level = @Level, updated_at = @Now
        WHERE incident_id = @Id AND escalation_level < @Level AND status = 'open';
        """);

    private static readonly SqlText DeleteStep = SqlText.Same("DELETE FROM incident_steps WHERE incident_id = @Id AND step_index = @Index;");

    private static readonly SqlText InsertStep = SqlText.Same("""
        INSERT INTO incident_steps (incident_id, step_index, state, reason, done_by, done_at) VALUES (@Id, @Index, @State, @Reason, @By, @Now);
        """);

    private static readonly SqlText SelectSteps = SqlText.Same("""
        SELECT step_index AS StepIndex, state AS State, reason AS Reason, done_by AS DoneBy, done_at AS DoneAt
        FROM incident_steps WHERE incident_id = @Id ORDER BY step_index;
        """);

    private static readonly SqlText InsertNote = SqlText.Same(
        "INSERT INTO incident_notes (incident_id, at, kind, text, author) VALUES (@Id, @At, @Kind, @Text, @Author);");

    private static readonly SqlText SelectNotes = SqlText.Same("""
        SELECT at AS At, kind AS Kind, text AS Text, author AS Author FROM incident_notes WHERE incident_id = @Id ORDER BY at, id;
        """);
}
