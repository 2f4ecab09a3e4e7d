using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Arkonis.Tests.Shared;

/// <summary>
/// Reads deploy/monitoring/arkevent-dashboard.json and the Prometheus text of <c>/metrics</c>, so that a test can
/// hold every metric the dashboard queries against what a service really exports.
/// </summary>
internal static partial class GrafanaDashboard
{
    public static string PathIn(string repositoryRoot) => Path.Combine(repositoryRoot, "deploy", "monitoring", "arkevent-dashboard.json");

    /// <summary>Every PromQL expression of the dashboard: the panels' targets and the template variables' queries.</summary>
    public static IReadOnlyList<string> Expressions(string dashboardJson)
    {
        var root = JsonNode.Parse(dashboardJson)!;
        var found = new List<string>();
        Walk(root, found);
        return found;
    }

    /// <summary>The metric names the expressions select (<c>name{...}</c> and <c>label_values(name, ...)</c>).</summary>
    public static IReadOnlySet<string> MetricNames(string dashboardJson) =>
        Expressions(dashboardJson)
            .SelectMany(e => Selector().Matches(e).Select(m => m.Groups[1].Value).Concat(LabelValues().Matches(e).Select(m => m.Groups[1].Value)))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The names of the samples in a Prometheus text exposition.</summary>
    public static IReadOnlySet<string> Exported(string prometheusText) =>
        prometheusText.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.IndexOfAny(['{', ' '])])
            .ToHashSet(StringComparer.Ordinal);

    private static void Walk(JsonNode? node, List<string> found)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    if (key is "expr" or "query" && value is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0 && text != "prometheus")
                    {
                        found.Add(text);
                    }
                    else
                    {
                        Walk(value, found);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Walk(item, found);
                }

                break;
        }
    }

    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{")]
    private static partial Regex Selector();

    [GeneratedRegex(@"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")]
    private static partial Regex LabelValues();
}
