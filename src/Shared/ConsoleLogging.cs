// Shared source: compiled into both services (a <Compile Include> in each csproj), which share no project but the model.
using Microsoft.Extensions.Logging.Console;

namespace Arkonis.Hosting;

/// <summary>
/// The services' logs. The console formatter is configuration: <c>Logging:Console:FormatterName</c> is <c>json</c> in the
/// Deployments (one JSON object per line on stdout, for a log collector) and unset for <c>dotnet run</c> (the simple,
/// human-readable console). The JSON lines carry their scopes (namespace, name and run id of the ArkEvent the work belongs
/// to, the admission review's uid) and a UTC timestamp.
/// </summary>
public static class ConsoleLogging
{
    /// <summary>ISO 8601 in UTC with milliseconds, as log collectors parse it.</summary>
    public const string JsonTimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>ASP.NET Core's "Request starting/finished" lines, which print the query string as the caller sent it.</summary>
    public const string RequestLinesCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static ILoggingBuilder AddArkEventLogging(this ILoggingBuilder logging)
    {
        logging.AddConsole();
        logging.Services.Configure<JsonConsoleFormatterOptions>(ConfigureJson);
        logging.Services.PostConfigure<LoggerFilterOptions>(CapRequestLines);
        return logging;
    }

    /// <summary>What the JSON formatter writes besides the message: scopes and a UTC timestamp (none by default).</summary>
    public static void ConfigureJson(JsonConsoleFormatterOptions json)
    {
        json.IncludeScopes = true;
        json.UseUtcTimestamp = true;
        json.TimestampFormat = JsonTimestampFormat;
    }

    /// <summary>
    /// A caller may put a token in the query string (the trigger API refuses it, but only after ASP.NET Core has logged the
    /// request line with it), so the request lines stay off at any configured level: after the configuration's rules, one
    /// rule for their category at Warning, for all providers and for each provider a rule names (the most specific rule
    /// wins, and of equals the last). Requests are counted in the metrics instead.
    /// </summary>
    public static void CapRequestLines(LoggerFilterOptions options)
    {
        var providers = options.Rules.Select(rule => rule.ProviderName).Append(null).Distinct().ToList();
        foreach (var provider in providers)
        {
            options.Rules.Add(new LoggerFilterRule(provider, RequestLinesCategory, LogLevel.Warning, filter: null));
        }
    }
}
