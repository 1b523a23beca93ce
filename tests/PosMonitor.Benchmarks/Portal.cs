using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PosMonitor.Benchmarks;

/// <summary>The portal as a separate process (Release build beside this benchmark) on a free loopback port.</summary>
public sealed class Portal(string databasePath, string adminKey, IDictionary<string, string>? settings = null) : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; } = FreePort();
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Called with each line the portal writes to its standard output (its console log), when set before the start.</summary>
    public Action<string>? Output { get; init; }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "PosMonitor.Web.dll"), "--urls", BaseAddress.ToString()])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Production's behaviour, with the pages' scripts and styles served from the build output, not a publish folder: in
        // "Production" the unpublished build answers them with an empty MIME type and no page ever becomes interactive.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ConnectionStrings__PosMonitor"] = $"Data Source={databasePath}";
        start.Environment["PosMonitor__Bootstrap__AdminApiKey"] = adminKey;
        start.Environment["PosMonitor__Database__CreateIfMissing"] = "true";
        start.Environment["PosMonitor__Demo__Enabled"] = "false";
        start.Environment["PosMonitor__Ingestion__RequestsPerSecondPerKey"] = "100000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // As deployed (README, Deploy it): two C-library malloc arenas, unless the run's own environment says otherwise.
        start.Environment["MALLOC_ARENA_MAX"] = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") ?? "2";
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) start.Environment[k] = v;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Output?.Invoke(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[portal] " + e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("the portal did not become ready");
    }

    public HttpClient Client()
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", adminKey);
        return client;
    }

    /// <summary>CPU time the portal process has used (user + system), from /proc; busy-machine-proof where wall time is not.</summary>
    public TimeSpan CpuTime()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{ProcessId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14 and 15 of proc(5) (utime, stime), counted from after the command name; clock ticks of 1/100 s.
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>Resident set of the portal process (VmRSS), in MB.</summary>
    public double ResidentMb()
    {
        try
        {
            var line = File.ReadLines($"/proc/{ProcessId}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
