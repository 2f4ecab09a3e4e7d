using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Reporting;

namespace Arkonis.Dispatcher.Modes;

public static class LocalModeExtensions
{
    /// <summary>
    /// Local mode, beside a Dapr sidecar: ArkEvents from a directory of YAML files, flows started by service invocation
    /// of the flow-runner app, trigger reports in memory and in the log.
    /// </summary>
    public static IHostApplicationBuilder AddLocalMode(this IHostApplicationBuilder builder)
    {
        builder.AddYamlCatalog();
        builder.Services.AddLocalFlowRunner();
        builder.Services.AddInMemoryTriggerReports();
        return builder;
    }
}
