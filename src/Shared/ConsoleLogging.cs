// Shared source: compiled into both services (a <Compile Include> in each csproj), which share no project but the model.
using Microsoft.Extensions.Logging.Console;

namespace Arkonis.Hosting;

/// <summary>
/// The services' console logs. The formatter is configuration: <c>Logging:Console:FormatterName</c> is <c>json</c> in the
/// Deployments (one JSON object per line on stdout, for a log collector) and unset for <c>dotnet run</c> (the simple,
/// human-readable console). The JSON lines carry their scopes (namespace, name and run id of the ArkEvent the work belongs
/// to, the admission review's uid) and a UTC timestamp.
/// </summary>
public static class ConsoleLogging
{
    /// <summary>ISO 8601 in UTC with milliseconds, as log collectors parse it.</summary>
    public const string JsonTimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static ILoggingBuilder AddArkEventConsole(this ILoggingBuilder logging)
    {
        logging.AddConsole();
        logging.Services.Configure<JsonConsoleFormatterOptions>(ConfigureJson);
        return logging;
    }

    /// <summary>What the JSON formatter writes besides the message: scopes and a UTC timestamp (none by default).</summary>
    public static void ConfigureJson(JsonConsoleFormatterOptions json)
    {
        json.IncludeScopes = true;
        json.UseUtcTimestamp = true;
        json.TimestampFormat = JsonTimestampFormat;
    }
}
