namespace Arkonis.Embedded.Tests;

/// <summary>
/// The embedded runtime is explicit (DESIGN §6): the dispatcher cannot start it, and its image cannot contain it, so
/// a pod whose sidecar failed never falls back to an in-memory runtime.
/// </summary>
public sealed class NeverAFallbackTests
{
    [Fact]
    public void The_dispatcher_references_neither_the_embedded_runtime_nor_the_durable_task_test_host()
    {
        var references = typeof(Program).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? string.Empty).ToList();

        Assert.Contains("Dapr.Workflow", references);
        Assert.DoesNotContain(references, name => name.StartsWith("Arkonis.Embedded", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.DurableTask", StringComparison.Ordinal));
        Assert.DoesNotContain("Embedded", File.ReadAllText(Path.Combine(Repo.Root, "src", "Dispatcher", "Arkonis.Dispatcher.csproj")), StringComparison.Ordinal);
        Assert.DoesNotContain("InProcessTestHost", File.ReadAllText(Path.Combine(Repo.Root, "src", "Dispatcher", "Arkonis.Dispatcher.csproj")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_dispatcher_image_is_built_from_the_dispatcher_alone()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Repo.Root, "deploy", "dispatcher", "Dockerfile"));

        Assert.Contains("dotnet publish src/Dispatcher/Arkonis.Dispatcher.csproj", dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("src/Embedded", dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("COPY . ", dockerfile, StringComparison.Ordinal);
    }
}
