using System.Globalization;
using System.Text;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Embedded.Hosting;
using Arkonis.Embedded.Runtime;
using Arkonis.Model.Resources;
using Arkonis.Model.Schedules;

namespace Arkonis.Embedded.Startup;

/// <summary>What an embedded run prints once it listens: what runs where, every sample event and how to fire it.</summary>
public static class StartupBanner
{
    public static string Render(
        RepositoryLayout layout,
        IEnumerable<CatalogEntry> catalog,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets,
        EmbeddedRuntimeOptions runtime,
        int publicPort,
        DateTimeOffset now,
        int? dashboardPort = null)
    {
        var api = $"http://localhost:{publicPort.ToString(CultureInfo.InvariantCulture)}";
        var components = runtime.Components;
        var entries = catalog.OrderBy(e => e.Namespace, StringComparer.Ordinal).ThenBy(e => e.Name, StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("ArkEvent is running, embedded: the dispatcher, the sample flow runner and a Dapr runtime in this one process.");
        text.AppendLine("Runs live in memory: they are gone when this process stops. Ctrl+C stops everything.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"  trigger API   {api}   (/readyz, /metrics, /triggers/{{namespace}}/{{name}}/fire and /runs/{{runId}})");
        if (dashboardPort is { } dashboard)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  dashboard     http://localhost:{dashboard.ToString(CultureInfo.InvariantCulture)}/   (read-only: the ArkEvents and their recent runs, in a browser)");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"  Dapr APIs     gRPC 127.0.0.1:{runtime.GrpcPort}, HTTP 127.0.0.1:{runtime.HttpPort}: workflows (durable-task, in memory), pub/sub {components.PubSub},");
        text.AppendLine(CultureInfo.InvariantCulture, $"                state {components.StateStore}, secrets {components.SecretStore} ({layout.Relative(layout.SecretsFile)}), cron binding {components.CronBinding} (every {components.CronInterval.TotalSeconds:0}s)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  flow runner   the sample, by service invocation of {components.FlowRunnerAppId}: a flow takes {runtime.FlowDelay.TotalSeconds:0.#} s (or _delayMs), fails with _fail");
        text.AppendLine(CultureInfo.InvariantCulture, $"  ArkEvents     {layout.Relative(layout.EventsDirectory)}/ ({entries.Count} loaded; a changed file is reloaded)");
        foreach (var entry in entries)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {entry.Namespace}/{entry.Name}");
            foreach (var line in Describe(entry, api, secrets, layout, now))
            {
                text.AppendLine("      " + line);
            }
        }
        var webhook = entries.FirstOrDefault(e => e.IsValid && e.Event.Spec.Source?.Type == SourceTypes.Webhook && Token(e, secrets) is not null);
        if (webhook is not null)
        {
            text.AppendLine();
            text.AppendLine("Fire it (the README's walkthrough goes on from here):");
            text.AppendLine(CultureInfo.InvariantCulture, $"  TOKEN={Token(webhook, secrets)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  curl -si -X POST {api}/triggers/{webhook.Namespace}/{webhook.Name}/fire -H \"Authorization: Bearer $TOKEN\" -H \"Content-Type: application/json\" -d '{{\"topic\": \"durable workflows\"}}'");
        }
        return text.ToString();
    }

    private static IEnumerable<string> Describe(
        CatalogEntry entry, string api, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets, RepositoryLayout layout, DateTimeOffset now)
    {
        if (!entry.IsValid)
        {
            yield return "invalid, not served: " + string.Join("; ", entry.Problems);
            yield break;
        }
        var spec = entry.Event.Spec;
        var targets = string.Join(", ", spec.Targets?.Select(t => t.Pipeline) ?? []);
        var suspended = spec.Suspend == true ? " (suspended)" : string.Empty;
        switch (spec.Source?.Type)
        {
            case SourceTypes.Webhook:
                yield return $"webhook{suspended} -> {targets}";
                yield return $"POST {api}/triggers/{entry.Namespace}/{entry.Name}/fire";
                yield return Token(entry, secrets) is not null
                    ? $"token: {layout.Relative(layout.SecretsFile)}, key \"{WebhookTokenSecret.NameFor(entry.Name)}\" -> \"{WebhookTokenSecret.TokenKey}\""
                    : $"no token: add \"{WebhookTokenSecret.NameFor(entry.Name)}\": {{\"{WebhookTokenSecret.TokenKey}\": \"...\"}} to {layout.Relative(layout.SecretsFile)} and restart";
                break;
            case SourceTypes.Cron:
                var zone = string.IsNullOrEmpty(spec.Source.Timezone) ? "UTC" : spec.Source.Timezone;
                yield return $"cron \"{spec.Source.Cron}\" in {zone}{suspended} -> {targets}";
                if (CronSchedule.TryParse(spec.Source.Cron ?? string.Empty, spec.Source.Timezone, out var schedule, out _)
                    && schedule.GetNextOccurrence(now) is { } next)
                {
                    var local = TimeZoneInfo.ConvertTime(next, schedule.TimeZone);
                    yield return $"next fire {next.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({local:HH:mm} {zone}), in {Until(next - now)}";
                }
                break;
            case SourceTypes.FlowOutput:
                yield return $"flow-output: when {spec.Source.Flow} ends {spec.Source.OnPhase ?? "Succeeded"}{suspended} -> {targets}";
                break;
        }
    }

    private static string? Token(CatalogEntry entry, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets) =>
        secrets.TryGetValue(WebhookTokenSecret.NameFor(entry.Name), out var values) && values.TryGetValue(WebhookTokenSecret.TokenKey, out var token)
            ? token
            : null;

    private static string Until(TimeSpan wait) =>
        wait.TotalMinutes < 1 ? $"{Math.Ceiling(wait.TotalSeconds):0} s"
        : wait.TotalHours < 1 ? $"{wait.Minutes} min {wait.Seconds} s"
        : $"{(int)wait.TotalHours} h {wait.Minutes} min";
}
