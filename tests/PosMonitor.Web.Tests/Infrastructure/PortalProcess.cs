using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>
/// The portal as a real OS process on a free loopback port, for tests that must kill it
/// (durability) or drive it from a browser. Started from the PosMonitor.Web.dll beside the tests.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private Process? _process;
    private readonly Dictionary<string, string> _environment;

    public PortalProcess(string databasePath, string adminKey, IDictionary<string, string>? settings = null)
    {
        DatabasePath = databasePath;
        Port = FreePort();
        _environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ConnectionStrings__PosMonitor"] = $"Data Source={databasePath}",
            ["PosMonitor__Database__CreateIfMissing"] = "true",
            ["PosMonitor__Demo__Enabled"] = "false",
            ["PosMonitor__Bootstrap__AdminApiKey"] = adminKey,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) _environment[k] = v;
    }

    public int Port { get; }
    public string DatabasePath { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public async Task StartAsync(TimeSpan? timeout = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "PosMonitor.Web.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", BaseAddress.ToString()])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in _environment) start.Environment[k] = v;
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start the portal");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the portal exited with code {_process.ExitCode} while starting");
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("the portal did not become ready");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush; what was committed is all that survives.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
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
