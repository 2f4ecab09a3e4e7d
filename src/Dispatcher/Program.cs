using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Modes;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Workflows;
using Arkonis.Dispatcher.Triggers.Cron;
using Arkonis.Dispatcher.Triggers.FlowOutput;
using Arkonis.Dispatcher.Triggers.Webhook;

var builder = WebApplication.CreateBuilder(args);
builder.AddDispatcherPorts();
builder.Services.AddDispatcherCore();
builder.AddYamlCatalog(); // only when not in Kubernetes mode
builder.Services.AddDaprRuns();
builder.Services.AddLocalFlowRunner();
builder.Services.AddFlowCompletions();
builder.Services.AddTriggerApi();
builder.Services.AddCronTrigger();
builder.Services.AddFlowOutputTrigger();
builder.AddKubernetesMode(); // only when Dispatcher:Mode=Kubernetes

var app = builder.Build();
app.UseDispatcherPipeline();
app.MapDispatcherHealth();
app.MapTriggerApi();
app.MapFlowCompletions();
app.MapCronTrigger();
app.Run();

public partial class Program;
