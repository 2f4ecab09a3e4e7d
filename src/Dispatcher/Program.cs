using Arkonis.Dispatcher.Kubernetes;

var builder = WebApplication.CreateBuilder(args);
builder.AddKubernetesMode(); // only when Dispatcher:Mode=Kubernetes
var app = builder.Build();
app.MapGet("/healthz", () => "ok");
app.Run();

public partial class Program;
