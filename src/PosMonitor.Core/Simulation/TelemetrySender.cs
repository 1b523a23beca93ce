using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Simulation;

public sealed record TelemetrySenderOptions
{
    /// <summary>Tries per request before giving up, the first included.</summary>
    public int MaxAttempts { get; init; } = 10;
    /// <summary>Longest wait honoured from a <c>Retry-After</c>; a longer one is cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>First wait after a connection failure or a 5xx without <c>Retry-After</c>; doubles up to 30 s.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Events per request; the API takes at most 5,000, the simulator sends at most 1,000.</summary>
    public int BatchSize { get; init; } = TelemetrySender.MaxBatch;
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>One event the server refused (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md, "Response").</summary>
public sealed record Rejection(string Kind, int Index, string? EventId, string Code, string Message);

public sealed record BatchResult(int Accepted, int Duplicates, IReadOnlyList<Rejection> Rejected, int Attempts);

public sealed record FleetUploadResult(int Regions, int Gateways, int Merchants, int Terminals);

/// <summary>Running totals of a send.</summary>
public sealed record SendTotals
{
    public long Sent { get; init; }
    public long Accepted { get; init; }
    public long Duplicates { get; init; }
    public long Rejected { get; init; }
    public int Requests { get; init; }
    /// <summary>Requests repeated after a 429, a 503 or a failed connection.</summary>
    public int Retries { get; init; }
    /// <summary>Rejections by code.</summary>
    public IReadOnlyDictionary<string, long> RejectedByCode { get; init; } = new Dictionary<string, long>();
    /// <summary>The first few rejections, for a human to read.</summary>
    public IReadOnlyList<Rejection> FirstRejections { get; init; } = [];
}

/// <summary>A request the server refused for good (400, 401, 403, 413, 415...), or that kept failing.</summary>
public sealed class TelemetrySendException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// Sends a fleet and telemetry to a PosMonitor server over the v1 API: <c>PUT /api/v1/fleet</c>, then
/// batches of at most 1,000 events to <c>POST /api/v1/telemetry</c>, each with <c>X-Api-Key</c>.
/// A <c>429</c> or <c>503</c> stored nothing, so the batch is resent after its <c>Retry-After</c>; a
/// failed connection or other 5xx is resent after a backoff (event ids make a resend harmless: the
/// server counts it as duplicates). Used by <c>posmonitor simulate --server</c>; the portal can use it too.
/// </summary>
public sealed class TelemetrySender(HttpClient http, Uri server, string apiKey, TelemetrySenderOptions? options = null)
{
    public const int MaxBatch = 1000;
    private const int KeepRejections = 20;

    private readonly TelemetrySenderOptions _options = options ?? new TelemetrySenderOptions();
    private readonly Uri _base = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");

    public async Task<FleetUploadResult> PutFleetAsync(FleetDocument document, CancellationToken cancellationToken = default)
    {
        var body = SimulationFiles.SerializeFleet(document);
        var (json, _) = await SendAsync(HttpMethod.Put, "api/v1/fleet", body, cancellationToken);
        using (json)
        {
            var root = json.RootElement;
            return new FleetUploadResult(Int(root, "regions"), Int(root, "gateways"), Int(root, "merchants"), Int(root, "terminals"));
        }
    }

    /// <exception cref="TelemetrySendException">The server refused the whole request, or it kept failing.</exception>
    public async Task<BatchResult> SendBatchAsync(IReadOnlyList<Heartbeat> heartbeats, IReadOnlyList<Transaction> transactions, CancellationToken cancellationToken = default)
    {
        var body = TelemetryWriter.SerializeBatch(heartbeats, transactions);
        var (json, attempts) = await SendAsync(HttpMethod.Post, "api/v1/telemetry", body, cancellationToken);
        using (json)
        {
            var root = json.RootElement;
            var rejected = new List<Rejection>();
            if (root.TryGetProperty("rejected", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var r in list.EnumerateArray())
                    rejected.Add(new Rejection(Str(r, "kind") ?? "", Int(r, "index"), Str(r, "eventId"), Str(r, "code") ?? "", Str(r, "message") ?? ""));
            return new BatchResult(Int(root, "accepted"), Int(root, "duplicates"), rejected, attempts);
        }
    }

    /// <summary>
    /// Sends a stream of events in batches. With <paramref name="speed"/> null it sends as fast as the server
    /// takes them; otherwise it paces them: an event is sent when <c>(arrival - first arrival) / speed</c>
    /// has passed on the wall clock (1 = real time; <see cref="SimulatedEvent.ArrivesAt"/>), in batches of what fell due meanwhile.
    /// </summary>
    public async Task<SendTotals> SendAsync(IEnumerable<SimulatedEvent> events, double? speed = null,
        IProgress<SendTotals>? progress = null, CancellationToken cancellationToken = default)
    {
        var totals = new SendTotals();
        var byCode = new Dictionary<string, long>(StringComparer.Ordinal);
        var firstRejections = new List<Rejection>();
        var heartbeats = new List<Heartbeat>(_options.BatchSize);
        var transactions = new List<Transaction>(_options.BatchSize);
        var time = _options.Time;
        var wallStart = time.GetUtcNow();
        DateTimeOffset? simStart = null;

        async Task Flush()
        {
            if (heartbeats.Count + transactions.Count == 0) return;
            var result = await SendBatchAsync(heartbeats, transactions, cancellationToken);
            foreach (var r in result.Rejected)
            {
                byCode[r.Code] = byCode.GetValueOrDefault(r.Code) + 1;
                if (firstRejections.Count < KeepRejections) firstRejections.Add(r);
            }
            totals = totals with
            {
                Sent = totals.Sent + heartbeats.Count + transactions.Count,
                Accepted = totals.Accepted + result.Accepted,
                Duplicates = totals.Duplicates + result.Duplicates,
                Rejected = totals.Rejected + result.Rejected.Count,
                Requests = totals.Requests + 1,
                Retries = totals.Retries + result.Attempts - 1,
                RejectedByCode = byCode,
                FirstRejections = firstRejections,
            };
            heartbeats.Clear();
            transactions.Clear();
            progress?.Report(totals);
        }

        foreach (var e in events)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (speed is { } s)
            {
                simStart ??= e.ArrivesAt;
                var due = wallStart + (e.ArrivesAt - simStart.Value) / s;
                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    // Send what is due before sleeping, so the server sees events as they happen.
                    await Flush();
                    wait = due - time.GetUtcNow();
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, time, cancellationToken);
                }
            }
            if (e.Heartbeat is { } hb) heartbeats.Add(hb);
            else transactions.Add(e.Transaction!);
            if (heartbeats.Count + transactions.Count >= _options.BatchSize) await Flush();
        }
        await Flush();
        return totals;
    }

    private async Task<(JsonDocument Json, int Attempts)> SendAsync(HttpMethod method, string path, byte[] body, CancellationToken cancellationToken)
    {
        var backoff = _options.InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, new Uri(_base, path)) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-Api-Key", apiKey);
            TimeSpan wait;
            string failure;
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                    return (JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text), attempt);
                var status = response.StatusCode;
                failure = $"{(int)status} {response.ReasonPhrase}: {Problem(text)}";
                if (status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                    wait = RetryAfter(response) ?? backoff;
                else if ((int)status >= 500)
                    wait = RetryAfter(response) ?? backoff;
                else
                    throw new TelemetrySendException($"{method} {path} refused: {failure}", status);
            }
            catch (HttpRequestException e)
            {
                failure = e.Message;
                wait = backoff;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = "timed out";
                wait = backoff;
            }
            if (attempt >= _options.MaxAttempts)
                throw new TelemetrySendException($"{method} {path} failed {attempt} times; last: {failure}");
            if (wait > _options.MaxRetryAfter) wait = _options.MaxRetryAfter;
            await Task.Delay(wait, _options.Time, cancellationToken);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - _options.Time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    // A problem+json body reads best as its title and detail.
    private static string Problem(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var parts = new[] { Str(root, "title"), Str(root, "detail") }.Where(p => !string.IsNullOrEmpty(p));
            var text = string.Join(" — ", parts);
            if (root.TryGetProperty("errors", out var errors)) text += " " + errors.GetRawText();
            return text.Length > 0 ? text : body;
        }
        catch (JsonException)
        {
            return body.Length > 300 ? body[..300] + "…" : body;
        }
    }

    private static int Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
