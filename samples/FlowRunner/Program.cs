using Arkonis.Samples.FlowRunner;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddProblemDetails();
builder.Services.AddDaprCompletionPublisher(builder.Configuration);

var app = builder.Build();
app.UseExceptionHandler();
app.MapFlowRunnerApi();
app.MapGet("/healthz", () => "ok");
app.Run();

// Internal, so test projects that reference this sample see only the dispatcher's Program.
internal partial class Program;
