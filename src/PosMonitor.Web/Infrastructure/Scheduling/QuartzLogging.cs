using Quartz.Logging;

namespace PosMonitor.Web.Infrastructure.Scheduling;

/// <summary>
/// Quartz 3 logs through a process-wide static. Pointing it at this host's logger factory before the
/// scheduler starts, through an adapter that turns a disposed factory into silence, keeps several
/// hosts in one process (the integration tests) from tripping over each other's disposed factories.
/// </summary>
internal sealed class QuartzLogging : IHostedService, ILogProvider
{
    private readonly ILoggerFactory _loggers;

    // Set on construction: the host builds every hosted service, Quartz's included, before starting any.
    public QuartzLogging(ILoggerFactory loggers)
    {
        _loggers = loggers;
        LogProvider.SetCurrentLogProvider(this);
    }

    public Task StartAsync(CancellationToken ct)
    {
        LogProvider.SetCurrentLogProvider(this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public Logger GetLogger(string name)
    {
        ILogger logger;
        try
        {
            logger = _loggers.CreateLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return (_, _, _, _) => false;
        }
        return (level, message, exception, parameters) =>
        {
            var msLevel = level switch
            {
                Quartz.Logging.LogLevel.Trace => Microsoft.Extensions.Logging.LogLevel.Trace,
                Quartz.Logging.LogLevel.Debug => Microsoft.Extensions.Logging.LogLevel.Debug,
                Quartz.Logging.LogLevel.Info => Microsoft.Extensions.Logging.LogLevel.Information,
                Quartz.Logging.LogLevel.Warn => Microsoft.Extensions.Logging.LogLevel.Warning,
                Quartz.Logging.LogLevel.Error => Microsoft.Extensions.Logging.LogLevel.Error,
                _ => Microsoft.Extensions.Logging.LogLevel.Critical,
            };
            if (message is null) return logger.IsEnabled(msLevel);
#pragma warning disable CA2254 // Quartz hands over an already formatted template.
            logger.Log(msLevel, exception, message(), parameters);
#pragma warning restore CA2254
            return true;
        };
    }

    public IDisposable OpenNestedContext(string message) => NoScope.Instance;

    public IDisposable OpenMappedContext(string key, object value, bool destructure = false) => NoScope.Instance;

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();
        public void Dispose() { }
    }
}
