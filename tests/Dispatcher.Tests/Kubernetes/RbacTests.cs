using Arkonis.Dispatcher.Tests.Harness;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>deploy/dispatcher/rbac.yaml grants exactly what a replica was seen doing against the API server.</summary>
public sealed class RbacTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ArkEvent.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static HashSet<string> Granted()
    {
        var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(RepoRoot(), "deploy/dispatcher/rbac.yaml")));
        var rules = objects.OfType<V1ClusterRole>().SelectMany(r => r.Rules).Concat(objects.OfType<V1Role>().SelectMany(r => r.Rules));
        return [.. rules.SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.SelectMany(res => r.Verbs.Select(v => $"{g}/{res}:{v}"))))];
    }

    /// <summary>The RBAC verb of a recorded request: get/list/watch/create/update/patch/delete on group/resource[/subresource].</summary>
    private static string Permission(RecordedRequest r)
    {
        var segments = r.Path.Trim('/').Split('/');
        var group = segments[0] == "api" ? "" : segments[1];
        var rest = segments[0] == "api" ? segments[2..] : segments[3..];
        if (rest[0] == "namespaces")
        {
            rest = rest[2..];
        }
        var resource = rest.Length > 2 ? $"{rest[0]}/{rest[2]}" : rest[0];
        var verb = r.Method switch
        {
            "GET" when rest.Length > 1 => "get",
            "GET" when r.Query.Contains("watch=true", StringComparison.Ordinal) => "watch",
            "GET" => "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => r.Method,
        };
        return $"{group}/{resource}:{verb}";
    }

    [Fact]
    public async Task The_role_grants_exactly_the_verbs_a_replica_uses()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var hook = Fixtures.Webhook("hook", pipelines: "research-flow");
        hook["spec"]!["successfulRunsHistoryLimit"] = 1;
        api.Seed("arkevents", hook);
        api.Seed("arkflows", Fixtures.FlowTemplate("research-flow"));
        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => api.Get("secrets", "team-a", "hook-webhook-token") is not null && replica.Leadership.IsLeader, "token issued by the leader");

        // Rotation (Secret update); a fire whose first status patch loses a race (re-read with get); two runs that finish (mark, prune).
        api.Update("arkevents", "team-a", "hook", o => o["metadata"]!["annotations"] = new JsonObject { [ArkonisNames.RotateTokenAnnotation] = "1" });
        await Eventually.Until(() => api.Get("secrets", "team-a", "hook-webhook-token")!["data"]!["previous-token"] is not null, "rotated");
        // A lost race is another write landing first: the object moves on, and the resourceVersion test fails (422).
        var lostOne = 0;
        api.FailWith = r =>
        {
            if (r.Path.Value!.EndsWith("/status", StringComparison.Ordinal) && r.ContentType!.StartsWith("application/json-patch", StringComparison.Ordinal)
                && Interlocked.Increment(ref lostOne) == 1)
            {
                api.Update("arkevents", "team-a", "hook", o => o["metadata"]!["labels"] = new JsonObject { ["raced"] = "yes" });
                return System.Net.HttpStatusCode.UnprocessableEntity;
            }
            return null;
        };
        var ev = replica.Catalog.Find("team-a", "hook")!.Event;
        replica.Services.GetRequiredService<ITriggerActivity>().Fired(ev, "run-1", DateTimeOffset.UtcNow);
        await Eventually.Until(() => (int?)api.Get("arkevents", "team-a", "hook")!["status"]!["firedCount"] == 1, "fire counted");
        var runner = replica.Services.GetRequiredService<IFlowRunner>();
        foreach (var id in new[] { "c1", "c2" })
        {
            await runner.StartAsync(new FlowStartRequest("team-a", "research-flow", "run-1", id, [], "hook", 0), default);
        }
        foreach (var (run, second) in api.List("arkflows", "team-a", "arkonis.dev/event=hook").Select((r, i) => ((string)r["metadata"]!["name"]!, i)))
        {
            api.Update("arkflows", "team-a", run, o => o["status"] = new JsonObject { ["phase"] = "Succeeded", ["completionTime"] = $"2026-11-28T12:00:0{second}Z" });
        }
        await Eventually.Until(() => api.List("arkflows", "team-a", "arkonis.dev/event=hook").Count == 1, "history pruned");
        await Eventually.Until(() => api.List("events", "team-a").Count > 0, "events written");
        // A second fire: its Fired Event joins the first one's series (a patch).
        replica.Services.GetRequiredService<ITriggerActivity>().Fired(ev, "run-2", DateTimeOffset.UtcNow);
        await Eventually.Until(() => api.Requests.Any(r => r.Method == "PATCH" && r.Path.Contains("/events/", StringComparison.Ordinal)), "series patched");

        var used = api.Requests.Where(r => r.UserAgent.StartsWith("pod-a", StringComparison.Ordinal)).Select(Permission).ToHashSet();
        // blockOwnerDeletion on the Secret and the ArkFlows needs update on the owner's finalizers (checked by admission, not a request).
        used.Add("arkonis.dev/arkevents/finalizers:update");
        var granted = Granted();
        Assert.Equal(granted.Order(StringComparer.Ordinal), used.Order(StringComparer.Ordinal));
    }
}
