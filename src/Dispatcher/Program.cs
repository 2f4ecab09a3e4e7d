using Arkonis.Hosting;
using Arkonis.Dispatcher.Dashboard;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Modes;
using Arkonis.Dispatcher.Triggers.Cron;
using Arkonis.Dispatcher.Triggers.FlowOutput;
using Arkonis.Dispatcher.Triggers.Webhook;
using Arkonis.Dispatcher.Workflows;

var builder = WebApplication.CreateBuilder(args);
var mode = builder.Configuration.GetDispatcherMode();

builder.Logging.AddArkEventLogging();

builder.AddDispatcherPorts();
builder.Services.AddDispatcherCore(builder.Configuration);
builder.Services.AddDaprRuns();
builder.Services.AddFlowCompletions();
builder.Services.AddTriggerApi();
builder.Services.AddCronTrigger();
builder.Services.AddFlowOutputTrigger();
builder.Services.AddDashboard();
switch (mode)
{
    case DispatcherMode.Local:
        builder.AddLocalMode();
        break;
    case DispatcherMode.Kubernetes:
        builder.AddKubernetesMode();
        break;
}

var app = builder.Build();
app.UseDispatcherPipeline();
app.MapDispatcherHealth();
app.MapTriggerApi();
app.MapFlowCompletions();
app.MapCronTrigger();
app.MapDashboard();
app.Run();

public partial class Program;
