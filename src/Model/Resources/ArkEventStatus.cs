using System.Text.Json.Serialization;
using k8s.Models;
using YamlDotNet.Serialization;

namespace Arkonis.Model.Resources;

/// <summary>What the dispatcher observed and did for an ArkEvent.</summary>
public sealed class ArkEventStatus
{
    /// <summary>webhook only: the URL to POST to.</summary>
    [JsonPropertyName("webhookURL")]
    [YamlMember(Alias = "webhookURL")]
    public string? WebhookUrl { get; set; }

    /// <summary>cron only: when the event fires next.</summary>
    public DateTime? NextFireAt { get; set; }

    /// <summary>When the event last fired.</summary>
    public DateTime? LastFiredAt { get; set; }

    /// <summary>How many times the event fired (skips are not fires).</summary>
    public long? FiredCount { get; set; }

    /// <summary>The latest run.</summary>
    public LastRun? LastRun { get; set; }

    /// <summary>The generation the status describes.</summary>
    public long? ObservedGeneration { get; set; }

    /// <summary>Conditions; type Ready tells whether the event can fire.</summary>
    public IList<V1Condition>? Conditions { get; set; }
}

/// <summary>The latest run of an ArkEvent.</summary>
public sealed class LastRun
{
    /// <summary>The run id.</summary>
    public string? Id { get; set; }

    /// <summary>Running, Succeeded or Failed.</summary>
    public string? Result { get; set; }

    /// <summary>When the run finished.</summary>
    public DateTime? CompletedAt { get; set; }
}
