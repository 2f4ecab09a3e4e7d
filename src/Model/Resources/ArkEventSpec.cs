namespace Arkonis.Model.Resources;

/// <summary>What an ArkEvent listens to and what it fires.</summary>
public sealed class ArkEventSpec
{
    /// <summary>What makes the event fire.</summary>
    public EventSource? Source { get; set; }

    /// <summary>The ArkFlow pipelines to start, in parallel, each time the event fires (1..50, unique by pipeline).</summary>
    public IList<EventTarget>? Targets { get; set; }

    /// <summary>What to do when the event fires while an earlier run is still going: Allow, Forbid or Replace (default Allow).</summary>
    public string? ConcurrencyPolicy { get; set; }

    /// <summary>When true the event does not fire; occurrences missed while suspended are not replayed.</summary>
    public bool? Suspend { get; set; }

    /// <summary>Cron only: how late, in seconds, a missed occurrence may still start (Kubernetes CronJob semantics).</summary>
    public long? StartingDeadlineSeconds { get; set; }

    /// <summary>How many succeeded runs to keep (default 3).</summary>
    public int? SuccessfulRunsHistoryLimit { get; set; }

    /// <summary>How many failed runs to keep (default 1).</summary>
    public int? FailedRunsHistoryLimit { get; set; }
}

/// <summary>The source of an ArkEvent.</summary>
public sealed class EventSource
{
    /// <summary>webhook, cron or flow-output.</summary>
    public string? Type { get; set; }

    /// <summary>cron only: a standard 5-field expression or a macro such as <c>@hourly</c>.</summary>
    public string? Cron { get; set; }

    /// <summary>cron only: the IANA time zone the schedule is read in (default UTC).</summary>
    public string? Timezone { get; set; }

    /// <summary>flow-output only: the upstream ArkFlow (pipeline) in the same namespace.</summary>
    public string? Flow { get; set; }

    /// <summary>flow-output only: the upstream phase that fires the event, Succeeded or Failed (default Succeeded).</summary>
    public string? OnPhase { get; set; }
}

/// <summary>One pipeline an ArkEvent starts.</summary>
public sealed class EventTarget
{
    /// <summary>The ArkFlow used as the template of the run.</summary>
    public string? Pipeline { get; set; }

    /// <summary>Input values rendered from the trigger context, such as <c>{{ .trigger.body.topic }}</c>.</summary>
    public IDictionary<string, string>? Input { get; set; }
}
