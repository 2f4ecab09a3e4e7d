namespace Arkonis.Dispatcher.Reporting;

public static class ReportingServiceCollectionExtensions
{
    /// <summary>Trigger reports as log lines and counters in memory (local mode).</summary>
    public static IServiceCollection AddInMemoryTriggerReports(this IServiceCollection services)
    {
        services.AddSingleton<InMemoryTriggerActivity>();
        services.AddSingleton<ITriggerActivity>(sp => sp.GetRequiredService<InMemoryTriggerActivity>());
        return services;
    }
}
