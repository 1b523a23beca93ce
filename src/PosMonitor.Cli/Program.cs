using System.CommandLine;

var root = new RootCommand("PosMonitor operator tool: simulate a fleet, replay recorded telemetry through detection.");
return await root.Parse(args).InvokeAsync();
