using System.CommandLine;

var root = new RootCommand("PosMonitor operator tool: simulate a fleet, replay recorded telemetry through detection.");
root.Subcommands.Add(PosMonitor.Cli.Simulation.SimulateCommand.Create());
root.Subcommands.Add(PosMonitor.Cli.Replay.ReplayCommand.Create());
root.Subcommands.Add(PosMonitor.Cli.Quality.QualityCommand.Create());
return await root.Parse(args).InvokeAsync();
