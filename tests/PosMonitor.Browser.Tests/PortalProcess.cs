using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace PosMonitor.Browser.Tests;

/// <summary>
/// The portal as a real process: <c>dotnet PosMonitor.Web.dll --urls http://127.0.0.1:PORT</c> from the
/// Web project's own bin output (static web assets resolve there in any environment) against a
/// temporary SQLite file. It can be killed and started again on the same port and database.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    public const string AdminKey = "browser-admin-key-4c1e9a7f3b2d6e80";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "posmonitor-browser", Guid.NewGuid().ToString("N"));
    private Process? _process;

    public PortalProcess()
    {
        Directory.CreateDirectory(_folder);
        Port = FreePort();
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";
    private string LogPath => Path.Combine(_folder, "portal.log");

    public const string AdminEmail = "admin@browser.test";
    public const string AdminPassword = "browser-test-admin-password";

    /// <summary>Signs the page's browser context in as the bootstrap admin (pages are for signed-in staff).</summary>
    public async Task SignInAsync(Microsoft.Playwright.IPage page)
    {
        await page.GotoAsync(BaseUrl + "/account/sign-in");
        await page.FillAsync("#email", AdminEmail);
        await page.FillAsync("#password", AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/sign-in", StringComparison.Ordinal));
    }

    public static string Dll => typeof(PortalProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PortalDll").Value!;

    public async Task StartAsync()
    {
        if (!File.Exists(Dll)) throw new InvalidOperationException($"Build the portal first: {Dll} is missing.");
        var info = new ProcessStartInfo("dotnet", [Dll, "--urls", BaseUrl])
        {
            WorkingDirectory = Path.GetDirectoryName(Dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        info.Environment["ConnectionStrings__PosMonitor"] = $"Data Source={Path.Combine(_folder, "posmonitor.db")}";
        info.Environment["PosMonitor__Database__CreateIfMissing"] = "true";
        info.Environment["PosMonitor__Demo__Enabled"] = "false";
        info.Environment["PosMonitor__Bootstrap__AdminApiKey"] = AdminKey;
        info.Environment["PosMonitor__Bootstrap__AdminEmail"] = AdminEmail;
        info.Environment["PosMonitor__Bootstrap__AdminPassword"] = AdminPassword;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        _process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The portal exited with {_process.ExitCode}:\n{Log}");
            try
            {
                if ((await http.GetAsync($"{BaseUrl}/readyz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The portal did not become ready:\n{Log}");
    }

    /// <summary>Kills the process at once, as a crash or power cut would.</summary>
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
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
