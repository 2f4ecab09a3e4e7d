using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Model.Resources;
using Arkonis.Model.Schedules;
using k8s;
using k8s.Models;

namespace Arkonis.Dispatcher.Kubernetes.Status;

/// <summary>The Ready condition as the reconciler wants it.</summary>
internal sealed record ReadyState(bool IsReady, string Reason, string Message);

/// <summary>The status fields the reconciler owns: URL, schedule, Ready condition, observed generation.</summary>
internal sealed record DesiredStatus(string? WebhookUrl, DateTime? NextFireAt, ReadyState Ready, long? ObservedGeneration);

/// <summary>What an ArkEvent's reconciled status should be, as a pure function of the catalog entry and the time.</summary>
internal static class StatusPlan
{
    public const string ReadyType = "Ready";

    /// <summary>The Ready message of a scheduled cron event, the same at every occurrence.</summary>
    public const string ScheduledMessage = "fires on its schedule; the next occurrence is in status.nextFireAt";

    public static DesiredStatus For(CatalogEntry entry, DateTimeOffset now, string webhookBaseUrl)
    {
        var ev = entry.Event;
        var generation = ev.Metadata.Generation;
        if (!entry.IsValid)
        {
            return new DesiredStatus(null, null, new ReadyState(false, "InvalidSpec", string.Join("; ", entry.Problems)), generation);
        }
        var source = ev.Spec.Source!;
        var webhookUrl = source.Type == SourceTypes.Webhook ? WebhookUrl(webhookBaseUrl, ev) : null;
        if (ev.Spec.Suspend == true)
        {
            // No nextFireAt while suspended: occurrences missed meanwhile are not replayed.
            return new DesiredStatus(webhookUrl, null, new ReadyState(false, "Suspended", "the event is suspended; it does not fire"), generation);
        }
        switch (source.Type)
        {
            case SourceTypes.Webhook:
                return new DesiredStatus(webhookUrl, null, new ReadyState(true, "WebhookReady", "waiting for webhook POST"), generation);
            case SourceTypes.Cron:
                // The message stays the same from one occurrence to the next: the time moves in nextFireAt only, so an
                // occurrence does not rewrite the condition (a status write every replica's watch receives).
                var next = NextFire(source, now, out var error);
                return next is { } at
                    ? new DesiredStatus(null, at.UtcDateTime, new ReadyState(true, "Scheduled", ScheduledMessage), generation)
                    : new DesiredStatus(null, null, new ReadyState(false, error is null ? "NoNextFire" : "InvalidSpec", error ?? "the schedule has no future occurrence"), generation);
            default:
                return new DesiredStatus(null, null, new ReadyState(true, "WaitingForFlow", $"waiting for flow {source.Flow} to complete"), generation);
        }
    }

    public static string WebhookUrl(string baseUrl, ArkEvent ev) =>
        $"{baseUrl.TrimEnd('/')}/triggers/{Uri.EscapeDataString(ev.Namespace)}/{Uri.EscapeDataString(ev.Name)}/fire";

    public static DateTimeOffset? NextFire(EventSource source, DateTimeOffset now, out string? error)
    {
        if (!CronSchedule.TryParse(source.Cron ?? string.Empty, source.Timezone, out var schedule, out error) || schedule is null)
        {
            return null;
        }
        return schedule.GetNextOccurrence(now);
    }

    /// <summary>
    /// The JSON merge patch (<c>{"status":{...}}</c>) that brings the status to what is desired, or null when it
    /// already is. <c>lastTransitionTime</c> moves only when the condition's status or reason changes.
    /// </summary>
    public static JsonObject? MergePatch(ArkEventStatus? current, DesiredStatus desired, DateTimeOffset now)
    {
        var existing = current?.Conditions?.FirstOrDefault(c => c.Type == ReadyType);
        var status = desired.Ready.IsReady ? "True" : "False";
        var transitioned = existing is null || existing.Status != status || existing.Reason != desired.Ready.Reason;
        var ready = new V1Condition
        {
            Type = ReadyType,
            Status = status,
            Reason = desired.Ready.Reason,
            Message = desired.Ready.Message,
            ObservedGeneration = desired.ObservedGeneration,
            LastTransitionTime = transitioned ? now.UtcDateTime : existing!.LastTransitionTime,
        };
        var conditions = (current?.Conditions ?? []).Where(c => c.Type != ReadyType).Append(ready).ToList();

        var patch = new JsonObject();
        if (current?.WebhookUrl != desired.WebhookUrl)
        {
            patch["webhookURL"] = desired.WebhookUrl;
        }
        if (current?.NextFireAt != desired.NextFireAt)
        {
            patch["nextFireAt"] = desired.NextFireAt is { } next ? JsonNode.Parse(KubernetesJson.Serialize(next)) : null;
        }
        if (current?.ObservedGeneration != desired.ObservedGeneration && desired.ObservedGeneration is not null)
        {
            patch["observedGeneration"] = desired.ObservedGeneration;
        }
        if (transitioned || existing!.Message != ready.Message || existing.ObservedGeneration != ready.ObservedGeneration)
        {
            patch["conditions"] = JsonNode.Parse(KubernetesJson.Serialize(conditions));
        }
        return patch.Count == 0 ? null : new JsonObject { ["status"] = patch };
    }
}
