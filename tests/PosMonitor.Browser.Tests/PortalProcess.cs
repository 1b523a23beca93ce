using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace PosMonitor.Browser.Tests;

/// <summary>
/// The portal as a real process: <c>dotnet PosMonitor.Web.dll --urls http://127.0.0.1:PORT</c> from the
/// Web project's own bin output (static web assets resolve there in any environment) against a
/// temporary SQLite file, for tests that drive it from a browser or must kill it. It can be killed and
/// started again on the same port and database; several can share one database through <c>databasePath</c>.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    public const string AdminKey = "browser-admin-key-4c1e9a7f3b2d6e80";
    public const string AdminEmail = "admin@browser.test";
    public const string AdminPassword = "browser-test-admin-password";
    private const string StartedLine = "Application started.";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "posmonitor-browser", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _environment;
    private readonly StreamWriter _log;
    private bool _disposed;
    private Process? _process;
    private TaskCompletionSource? _started;

    /// <param name="settings">Portal settings in environment-variable form (<c>PosMonitor__Cluster__Enabled</c>), applied after the defaults.</param>
    /// <param name="databasePath">The SQLite file; by default a new one in this process's own temporary folder.</param>
    public PortalProcess(IReadOnlyDictionary<string, string?>? settings = null, string? databasePath = null)
    {
        Directory.CreateDirectory(_folder);
        Port = FreePort();
        DatabasePath = databasePath ?? Path.Combine(_folder, "posmonitor.db");
        _log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
        _environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ConnectionStrings__PosMonitor"] = $"Data Source={DatabasePath}",
            ["PosMonitor__Database__CreateIfMissing"] = "true",
            ["PosMonitor__Demo__Enabled"] = "false",
            ["PosMonitor__Bootstrap__AdminApiKey"] = AdminKey,
            ["PosMonitor__Bootstrap__AdminEmail"] = AdminEmail,
            ["PosMonitor__Bootstrap__AdminPassword"] = AdminPassword,
            ["Logging__LogLevel__Default"] = "Warning",
            // Every test signs in from 127.0.0.1: the per-address limit on sign-ins (10 a minute) is not what they test
            // (SignInRateLimitTests does), and a class signing in more often than that had its next sign-in refused.
            ["PosMonitor__Identity__SignInPermitsPerMinute"] = "10000",
            // "Application started." is the signal StartAsync waits for.
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) _environment[key] = value;
    }

    public int Port { get; }
    public string DatabasePath { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public string Log
    {
        get
        {
            lock (_log) return File.ReadAllText(LogPath);
        }
    }
    private string LogPath => Path.Combine(_folder, "portal.log");

    public static string Dll => typeof(PortalProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PortalDll").Value!;

    /// <summary>Signs the page's browser context in as the bootstrap admin (pages are for signed-in staff).</summary>
    public async Task SignInAsync(Microsoft.Playwright.IPage page)
    {
        await page.GotoAsync(BaseUrl + "/account/sign-in");
        await page.FillAsync("#email", AdminEmail);
        await page.FillAsync("#password", AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/sign-in", StringComparison.Ordinal));
    }

    /// <summary>Starts the process and returns once the host says it started and <c>/readyz</c> agrees.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (!File.Exists(Dll)) throw new InvalidOperationException($"Build the portal first: {Dll} is missing.");
        var info = new ProcessStartInfo("dotnet", [Dll, "--urls", BaseUrl])
        {
            WorkingDirectory = Path.GetDirectoryName(Dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _environment) info.Environment[key] = value;
        var started = _started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Exited += (_, _) => started.TrySetException(new InvalidOperationException($"The portal exited with {process.ExitCode} while starting:\n{Log}"));
        if (!process.Start()) throw new InvalidOperationException("dotnet did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await started.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The portal did not start:\n{Log}");
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var ready = await http.GetAsync($"{BaseUrl}/readyz");
        if (ready.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"The portal started but /readyz answers {(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}\n{Log}");
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (_disposed) return;
            _log.WriteLine(line);
        }
        if (line.Contains(StartedLine, StringComparison.Ordinal)) _started?.TrySetResult();
    }

    /// <summary>Kills the process at once, as a crash or power cut would: no shutdown hooks, no flush.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public HttpClient Client(string? apiKey = AdminKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        lock (_log)
        {
            _disposed = true;
            _log.Dispose();
        }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
