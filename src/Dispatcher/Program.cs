using Arkonis.Dispatcher.Triggers.Cron;
using Arkonis.Dispatcher.Triggers.FlowOutput;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddCronTrigger();
builder.Services.AddFlowOutputTrigger();
var app = builder.Build();
app.MapGet("/healthz", () => "ok");
app.MapCronTrigger();
app.Run();

public partial class Program;
