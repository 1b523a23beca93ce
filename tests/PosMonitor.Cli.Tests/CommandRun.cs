using System.CommandLine;

namespace PosMonitor.Cli.Tests;

/// <summary>Runs one CLI command as <c>posmonitor</c> would, capturing its exit code, standard output and standard error.</summary>
internal static class CommandRun
{
    public static async Task<(int Exit, string Out, string Err)> InvokeAsync(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
