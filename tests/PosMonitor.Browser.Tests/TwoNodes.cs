using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace PosMonitor.Browser.Tests;

/// <summary>
/// Two portal processes on one database (a SQLite WAL file; SQL Server when POSMONITOR_TEST_SQLSERVER is set) with
/// <c>PosMonitor:Cluster</c> on and one Redis, and a local webhook receiver configured as their notification channel.
/// Skips the test when POSMONITOR_TEST_REDIS is unset.
/// </summary>
public sealed class TwoNodes : IAsyncDisposable
{
    public const string RedisVariable = "POSMONITOR_TEST_REDIS";

    private TwoNodes(PortalProcess a, PortalProcess b, WebhookReceiver webhooks, ClusterDatabase database)
    {
        A = a;
        B = b;
        Webhooks = webhooks;
        Database = database;
    }

    public PortalProcess A { get; }
    public PortalProcess B { get; }
    public WebhookReceiver Webhooks { get; }
    public ClusterDatabase Database { get; }
    public PortalProcess[] Both => [A, B];

    /// <summary>The Redis of POSMONITOR_TEST_REDIS, or a skip saying how to set it.</summary>
    public static string Redis()
    {
        var redis = Environment.GetEnvironmentVariable(RedisVariable);
        if (string.IsNullOrEmpty(redis))
            Assert.Skip($"Two-node tests need Redis: set {RedisVariable} (e.g. 127.0.0.1:6379; .ci/run starts Debian's redis-server and sets it)");
        return redis;
    }

    /// <summary>Starts A, then B on A's database; each test has its own Redis key prefix, so tests never hear each other.</summary>
    /// <param name="settings">Settings for both nodes on top of these (environment-variable form).</param>
    public static async Task<TwoNodes> StartAsync(string? redis = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        redis ??= Redis();
        var webhooks = new WebhookReceiver();
        var database = await ClusterDatabase.CreateAsync(Path.Combine(Path.GetTempPath(), "posmonitor-cluster-" + Guid.NewGuid().ToString("N"), "posmonitor.db"));
        var prefix = "pmtest-" + Guid.NewGuid().ToString("N")[..8];
        Dictionary<string, string?> Settings(string node)
        {
            var all = Defaults(node);
            foreach (var (key, value) in database.Settings) all[key] = value;
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
            return all;
        }
        Dictionary<string, string?> Defaults(string node) => new()
        {
            ["PosMonitor__Cluster__Enabled"] = "true",
            ["PosMonitor__Cluster__Redis"] = redis,
            ["PosMonitor__Cluster__NodeName"] = node,
            ["PosMonitor__Cluster__KeyPrefix"] = prefix,
            // Detection every 5 s and baselines saved every 10 s: a takeover then starts warm within the test's time.
            ["PosMonitor__Detection__Interval"] = "00:00:05",
            ["PosMonitor__Detection__BaselineSaveInterval"] = "00:00:10",
            ["PosMonitor__Notifications__PollSeconds"] = "1",
            ["PosMonitor__Notifications__Channels__0__Name"] = "ops-webhook",
            ["PosMonitor__Notifications__Channels__0__Kind"] = "Webhook",
            ["PosMonitor__Notifications__Channels__0__Url"] = webhooks.Url,
            ["Logging__LogLevel__PosMonitor.Web.Features.Detection"] = "Information",
            ["Logging__LogLevel__PosMonitor.Web.Infrastructure.Cluster"] = "Information",
        };
        var a = new PortalProcess(Settings("node-a"), database.SqlitePath);
        var b = new PortalProcess(Settings("node-b"), database.SqlitePath);
        try
        {
            await a.StartAsync();
            await b.StartAsync();
        }
        catch
        {
            await b.DisposeAsync();
            await a.DisposeAsync();
            await webhooks.DisposeAsync();
            await database.DisposeAsync();
            throw;
        }
        return new TwoNodes(a, b, webhooks, database);
    }

    /// <summary>The fleet, and an hour of healthy sales and heartbeats before now, so detection has normals to compare with.</summary>
    public async Task LoadHealthyHistoryAsync(DateTimeOffset now)
    {
        using var admin = A.Client();
        (await admin.PutAsJsonAsync("/api/v1/fleet", DemoFleet.Document())).EnsureSuccessStatusCode();
        var random = new Random(7);
        var heartbeats = new List<object>();
        var transactions = new List<object>();
        var start = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-60);
        foreach (var (terminal, _, _, firmware) in DemoFleet.Terminals())
            for (var minute = 0; minute < 60; minute++)
            {
                var at = start.AddMinutes(minute);
                if (minute % 2 == 0) heartbeats.Add(DemoFleet.Heartbeat(terminal, at.AddSeconds(random.Next(60)), random, firmware));
                for (var s = 0; s < 3; s++) transactions.Add(DemoFleet.Transaction(terminal, at.AddSeconds(random.Next(60)), timeout: false));
            }
        foreach (var chunk in heartbeats.Chunk(2000)) await DemoFleet.PostAsync(admin, chunk, []);
        foreach (var chunk in transactions.Chunk(2000)) await DemoFleet.PostAsync(admin, [], chunk);
    }

    /// <summary>The terminals of <paramref name="gateway"/> in <see cref="DemoFleet"/>.</summary>
    public static IReadOnlyList<string> TerminalsOf(string gateway) =>
        [.. DemoFleet.Merchants.SelectMany((m, mi) => Enumerable.Range(1, 3)
            .Where(i => DemoFleet.Gateways[(mi + i) % DemoFleet.Gateways.Length] == gateway).Select(i => $"T-{m.Id[2..]}-{i}"))];

    /// <summary>One second of the fleet's sales at <paramref name="at"/>: the gateway's terminals time out at the gateway three times in four.</summary>
    public static object[] SalesWithGatewayFault(string gateway, DateTimeOffset at, int round)
    {
        var failing = TerminalsOf(gateway).ToHashSet(StringComparer.Ordinal);
        return [.. DemoFleet.Terminals().Select((t, i) => DemoFleet.Transaction(t.Terminal, at.AddMilliseconds(-i),
            timeout: failing.Contains(t.Terminal) && (round + i) % 4 != 0))];
    }

    /// <summary>/readyz of <paramref name="node"/> as JSON, or null when it does not answer.</summary>
    public static async Task<JsonElement?> ReadyAsync(PortalProcess node)
    {
        using var http = new HttpClient { BaseAddress = new Uri(node.BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var response = await http.GetAsync("/readyz");
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Polls <paramref name="check"/> until it returns a value or <paramref name="within"/> passes: for state in another
    /// process, which sends no signal this process could wait on.
    /// </summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> check, TimeSpan within, string what) where T : class
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (await check() is { } value) return value;
            if (watch.Elapsed > within) throw new TimeoutException($"{what}: not within {within.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    /// <summary>The open incidents of <paramref name="node"/> with scope <paramref name="scopeId"/>.</summary>
    public static async Task<IReadOnlyList<JsonElement>> IncidentsOfScopeAsync(PortalProcess node, string scopeId)
    {
        using var admin = node.Client();
        var all = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/incidents?status=all&limit=1000");
        return [.. all!.Where(i => i.GetProperty("scopeId").GetString() == scopeId)];
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Webhooks.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>A local HTTP endpoint that records every webhook the portal posts to it.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<JsonElement> _received = new();
    private readonly ConcurrentDictionary<TaskCompletionSource, Func<JsonElement, bool>> _waiters = new();

    public WebhookReceiver()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ListenAsync);
    }

    public string Url { get; }

    public IReadOnlyList<JsonElement> Received => [.. _received];

    /// <summary>Completes when a webhook matching <paramref name="match"/> has arrived (or already had).</summary>
    public Task ArrivedAsync(Func<JsonElement, bool> match)
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters[arrived] = match;
        if (_received.Any(match)) arrived.TrySetResult();
        return arrived.Task;
    }

    private async Task ListenAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using (var reader = new StreamReader(context.Request.InputStream))
            {
                var body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
                _received.Enqueue(body);
                foreach (var (waiter, match) in _waiters)
                    if (match(body)) waiter.TrySetResult();
            }
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
