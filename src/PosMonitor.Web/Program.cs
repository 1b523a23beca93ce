using PosMonitor.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddPosMonitor();

var app = builder.Build();
if (args.FirstOrDefault() == "migrate") return app.RunMigrateCommand();

app.MapPosMonitor();
app.Run();
return 0;

/// <summary>Entry point; exposed for WebApplicationFactory in the tests.</summary>
public partial class Program;
