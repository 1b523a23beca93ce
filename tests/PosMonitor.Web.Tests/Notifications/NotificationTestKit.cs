using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Infrastructure.Localization;
using PosMonitor.Web.Infrastructure.Observability;
using PosMonitor.Web.Tests.Telemetry;

namespace PosMonitor.Web.Tests.Notifications;

/// <summary>The notification pipeline wired by hand on one database, as the portal wires it.</summary>
public sealed class NotificationPipeline
{
    public NotificationPipeline(Db db, NotificationOptions options, TimeProvider time)
    {
        Options = new FixedOptions<NotificationOptions>(options);
        Outbox = new NotificationOutbox(db);
        Formats = Localized.Formats();
        Sender = new NotificationSender(new PlainHttpClients(), Formats, Options, time);
        Delivery = new NotificationDelivery(Outbox, Sender, Options, time, new PosMonitorMetrics(new TestMeterFactory(), time),
            NullLogger<NotificationDelivery>.Instance);
        Notifier = new Notifier(Outbox, Options, time);
    }

    public FixedOptions<NotificationOptions> Options { get; }
    public NotificationOutbox Outbox { get; }
    public NotificationFormats Formats { get; }
    public NotificationSender Sender { get; }
    public NotificationDelivery Delivery { get; }
    public Notifier Notifier { get; }

    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 3, 14, 3, 52, 0, TimeSpan.Zero));
}

public static class Localized
{
    private static readonly ResourceManagerStringLocalizerFactory Factory =
        new(Microsoft.Extensions.Options.Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance);

    public static IStringLocalizer<T> For<T>() => new StringLocalizer<T>(Factory);

    /// <summary>What <paramref name="say"/> says with the UI culture set to <paramref name="culture"/>.</summary>
    public static string In(string culture, Func<string> say)
    {
        using var _ = Infrastructure.CultureScope.UseUi(culture);
        return say();
    }

    public static NotificationFormats Formats() => new(For<NotificationStrings>(), For<RunbookStrings>(), new IncidentTitleText(For<IncidentTitleStrings>(), new EvidenceText(For<EvidenceStrings>())),
        new CountText(For<Strings>()));
}

public sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue { get; set; } = value;
    public T Get(string? name) => CurrentValue;
    public IDisposable? OnChange(Action<T, string?> listener) => null;
}

public sealed class PlainHttpClients : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new();
}

/// <summary>A request the stub received.</summary>
public sealed record Received(string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>An HTTP receiver on 127.0.0.1 that answers 500 to its first <c>failures</c> requests, then 200 with <c>answer</c>.</summary>
public sealed class StubReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;

    private StubReceiver(WebApplication app, int failures)
    {
        _app = app;
        _failuresLeft = failures;
    }

    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Answer { get; set; } = "{\"errcode\":0,\"errmsg\":\"ok\"}";
    public TimeSpan Delay { get; set; }
    public string Url { get; private set; } = "";

    public static async Task<StubReceiver> StartAsync(int failures = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new StubReceiver(app, failures);
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var ms = new MemoryStream();
            await http.Request.Body.CopyToAsync(ms);
            stub.Requests.Enqueue(new Received(http.Request.Path, http.Request.QueryString.Value ?? "",
                http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), ms.ToArray()));
            if (stub.Delay > TimeSpan.Zero) await Task.Delay(stub.Delay, http.RequestAborted);
            if (Interlocked.Decrement(ref stub._failuresLeft) >= 0) return Results.Text("receiver down", statusCode: 500);
            return Results.Text(stub.Answer, "application/json");
        });
        await app.StartAsync();
        stub.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
        return stub;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>
/// Just enough SMTP (RFC 5321) on 127.0.0.1 for MailKit to deliver one message per connection:
/// EHLO, MAIL FROM, RCPT TO, DATA, QUIT; it keeps what it was sent.
/// </summary>
public sealed class StubSmtpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();

    public StubSmtpServer()
    {
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public ConcurrentQueue<(string From, IReadOnlyList<string> To, string Data)> Messages { get; } = new();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 stub ESMTP ready");
        string from = "";
        var to = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    await writer.WriteLineAsync("250-stub");
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "HELO": await writer.WriteLineAsync("250 stub"); break;
                case "MAIL": from = Address(line); await writer.WriteLineAsync("250 OK"); break;
                case "RCPT": to.Add(Address(line)); await writer.WriteLineAsync("250 OK"); break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } d && d != ".") data.AppendLine(d);
                    Messages.Enqueue((from, [.. to], data.ToString()));
                    await writer.WriteLineAsync("250 OK queued");
                    break;
                case "QUIT": await writer.WriteLineAsync("221 Bye"); return;
                default: await writer.WriteLineAsync("250 OK"); break;
            }
        }
    }

    /// <summary>The address between the angle brackets of MAIL FROM:&lt;a&gt; or RCPT TO:&lt;a&gt;, without parameters.</summary>
    private static string Address(string line) => line[(line.IndexOf('<') + 1)..line.IndexOf('>')];

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
