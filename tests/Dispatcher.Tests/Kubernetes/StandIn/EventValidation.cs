using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>
/// The checks kube-apiserver makes on an events.k8s.io/v1 create (<c>pkg/apis/core/validation/events.go</c>,
/// ValidateEventCreate), so an event a real server would refuse is refused here too.
/// </summary>
internal static partial class EventValidation
{
    /// <summary>The problems, joined as the Invalid message lists them, or <see langword="null"/> for a valid event.</summary>
    public static string? Problems(JsonObject ev, string ns)
    {
        var problems = new List<string>();
        if ((string?)ev["eventTime"] is not { } time || !MicroTimeFormat().IsMatch(time))
        {
            problems.Add("eventTime: Required value (RFC 3339 with microseconds)");
        }
        if ((string?)ev["type"] is not ("Normal" or "Warning"))
        {
            problems.Add("type: Unsupported value");
        }
        foreach (var field in new[] { "reason", "action", "reportingController", "reportingInstance" })
        {
            if ((string?)ev[field] is not { Length: > 0 and <= 128 })
            {
                problems.Add($"{field}: Required value");
            }
        }
        if ((string?)ev["note"] is { Length: > 1024 })
        {
            problems.Add("note: Too long");
        }
        if ((string?)ev["regarding"]?["namespace"] != ns)
        {
            problems.Add("regarding.namespace: Invalid value: does not match event namespace");
        }
        if ((string?)ev["metadata"]?["name"] is not { } name || name.Length > 253 || !DnsSubdomain().IsMatch(name))
        {
            problems.Add("metadata.name: Invalid value");
        }
        return problems.Count == 0 ? null : string.Join(", ", problems);
    }

    /// <summary>apimachinery's MicroTime parses with RFC3339Micro, which requires the six-digit fraction.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")]
    private static partial Regex MicroTimeFormat();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
