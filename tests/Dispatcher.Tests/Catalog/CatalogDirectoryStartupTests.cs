using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Tests.Harness;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Tests.Catalog;

/// <summary>
/// A configured catalog directory that does not exist stops the dispatcher at start, naming the path it looked at,
/// instead of serving an empty catalog (every fire 404) while <c>/readyz</c> answers healthy.
/// </summary>
public sealed class CatalogDirectoryStartupTests
{
    [Fact]
    public void A_missing_directory_fails_validation_with_the_full_path_and_the_working_directory()
    {
        var missing = Path.Combine("no-such-dir-" + Guid.NewGuid().ToString("N"), "events");

        var result = new CatalogOptionsValidator().Validate(new CatalogOptions { Directory = missing });

        var message = Assert.Single(result.Errors).ErrorMessage;
        Assert.Contains(Path.GetFullPath(missing), message, StringComparison.Ordinal);
        Assert.Contains(Environment.CurrentDirectory, message, StringComparison.Ordinal);
        Assert.Contains("Catalog__Directory", message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_directory_passes()
    {
        var directory = Directory.CreateTempSubdirectory("arkevent-exists-").FullName;
        try
        {
            Assert.True(new CatalogOptionsValidator().Validate(new CatalogOptions { Directory = directory }).IsValid);
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    [Fact]
    public async Task The_dispatcher_does_not_start_with_a_missing_catalog_directory()
    {
        var missing = Path.Combine(Path.GetTempPath(), "arkevent-missing-" + Guid.NewGuid().ToString("N"));
        await using var sidecar = await EmbeddedDaprRuntime.StartAsync(TimeSpan.FromMilliseconds(50));
        await using var app = new DispatcherApp(sidecar, missing, new Dictionary<string, string?>());
        app.UseKestrel();

        var error = Assert.ThrowsAny<Exception>(() => app.StartServer());

        var validation = error as OptionsValidationException ?? Assert.IsType<OptionsValidationException>(error.InnerException);
        Assert.Contains(missing, validation.Message, StringComparison.Ordinal);
    }
}
