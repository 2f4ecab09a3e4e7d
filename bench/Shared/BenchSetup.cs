// Shared source: compiled into each dispatcher bench (a <Compile Include> in its csproj); the benches share no project.
using System.Text.Json.Nodes;
using Arkonis.Embedded.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Bench;

/// <summary>What every dispatcher bench does before it measures: the app's content root, and a ceiling to compare with.</summary>
internal static class BenchSetup
{
    /// <summary>
    /// WebApplicationFactory looks for the dispatcher's content root beside a test project; a bench is not one, so the
    /// root is named from the checkout the bench runs in.
    /// </summary>
    public static void UseDispatcherContentRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "ArkEvent.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("ArkEvent.sln not found");
        }
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_ARKONIS_DISPATCHER", Path.Combine(root.FullName, "src", "Dispatcher"));
    }

    /// <summary>A bare Kestrel app on a free loopback port, with the endpoints <paramref name="map"/> adds, started.</summary>
    public static async Task<(WebApplication App, int Port)> StartCeilingAsync(Action<WebApplication> map)
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return (app, port);
    }

    /// <summary>The least the fire surface must do: <c>POST /ceiling</c> parses a JSON object body and answers a fixed 202.</summary>
    public static void MapFireCeiling(WebApplication app) =>
        app.MapPost("/ceiling", async (HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body);
            return body is JsonObject
                ? Results.Accepted("/runs/x", new { runId = "x", statusUrl = "/runs/x" })
                : Results.BadRequest();
        });
}
