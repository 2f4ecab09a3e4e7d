namespace Arkonis.Dispatcher.Tests.Harness;

/// <summary>
/// Tests that listen to every <c>ActivitySource</c> or <c>Meter</c> of the process. Those sources are static
/// (ASP.NET Core's <c>Microsoft.AspNetCore</c>, HttpClient's, the dispatcher's own), so a listener sees the spans and
/// measurements of every host alive in the test process, not only its own: these tests run alone, after the others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTelemetryCollection
{
    public const string Name = "Listens to every ActivitySource and Meter";
}
