using Arkonis.Dispatcher.Tests.Harness;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>
/// The dispatcher's RBAC grants exactly what a replica was seen doing against the API server, in both installs as
/// <c>kubectl kustomize</c> renders them: deploy/ (a ClusterRole) and deploy/overlays/namespaced (a Role per
/// namespace in Dispatcher__Kubernetes__Namespaces, no ClusterRole).
/// </summary>
public sealed class RbacTests
{
    private const string ServiceAccount = "arkevent-dispatcher";
    private const string PodNamespace = "arkonis-system";

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ArkEvent.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    /// <summary>The objects of an install, rendered by kubectl's kustomize (as <c>kubectl apply -k</c> would send them).</summary>
    internal static IList<object> Render(string kustomization)
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", Path.Combine(RepoRoot(), kustomization)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var kubectl = Process.Start(start)!;
        var output = kubectl.StandardOutput.ReadToEndAsync();
        var error = kubectl.StandardError.ReadToEnd();
        kubectl.WaitForExit();
        Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize {kustomization}: {error}");
        // Only the kinds the RBAC check reads (the client's YAML loader knows no cert-manager or Dapr kinds).
        return [.. Arkonis.Crd.Yaml.LoadAll(output.Result).Select(o => (string?)o["kind"] switch
        {
            "Role" => KubernetesJson.Deserialize<V1Role>(o.ToJsonString()),
            "RoleBinding" => KubernetesJson.Deserialize<V1RoleBinding>(o.ToJsonString()),
            "ClusterRole" => KubernetesJson.Deserialize<V1ClusterRole>(o.ToJsonString()),
            "ClusterRoleBinding" => KubernetesJson.Deserialize<V1ClusterRoleBinding>(o.ToJsonString()),
            "Deployment" => (object?)KubernetesJson.Deserialize<V1Deployment>(o.ToJsonString()),
            _ => null,
        }).OfType<object>()];
    }

    /// <summary>
    /// What the dispatcher's service account may do, as "namespace|group/resource:verb" ("*" for every namespace):
    /// Roles through RoleBindings in their namespace, ClusterRoles through ClusterRoleBindings everywhere.
    /// </summary>
    private static HashSet<string> Granted(IList<object> objects)
    {
        static bool Binds(IEnumerable<Rbacv1Subject> subjects) => subjects.Any(s => s.Kind == "ServiceAccount" && s.Name == ServiceAccount && s.NamespaceProperty == PodNamespace);
        static IEnumerable<string> Expand(IEnumerable<V1PolicyRule> rules, string ns) =>
            rules.SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.SelectMany(res => r.Verbs.Select(v => $"{ns}|{g}/{res}:{v}"))));

        var granted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var binding in objects.OfType<V1ClusterRoleBinding>().Where(b => Binds(b.Subjects)))
        {
            granted.UnionWith(Expand(objects.OfType<V1ClusterRole>().Single(r => r.Metadata.Name == binding.RoleRef.Name).Rules, "*"));
        }
        foreach (var binding in objects.OfType<V1RoleBinding>().Where(b => Binds(b.Subjects)))
        {
            var ns = binding.Metadata.NamespaceProperty;
            granted.UnionWith(Expand(objects.OfType<V1Role>().Single(r => r.Metadata.Name == binding.RoleRef.Name && r.Metadata.NamespaceProperty == ns).Rules, ns));
        }
        return granted;
    }

    /// <summary>The RBAC permission of a recorded request: namespace ("*" when cluster-wide) | group/resource[/subresource]:verb.</summary>
    private static string Permission(RecordedRequest r)
    {
        var segments = r.Path.Trim('/').Split('/');
        var group = segments[0] == "api" ? "" : segments[1];
        var rest = segments[0] == "api" ? segments[2..] : segments[3..];
        var ns = "*";
        if (rest[0] == "namespaces")
        {
            ns = rest[1];
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
        return $"{ns}|{group}/{resource}:{verb}";
    }

    /// <summary>A replica's working life: a token issued and rotated, a fire with a lost status race, two runs that finish (mark, prune), events.</summary>
    private static async Task<HashSet<string>> UsedAsync(IDictionary<string, string?>? settings = null)
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var hook = Fixtures.Webhook("hook", pipelines: "research-flow");
        hook["spec"]!["successfulRunsHistoryLimit"] = 1;
        api.Seed("arkevents", hook);
        api.Seed("arkflows", Fixtures.FlowTemplate("research-flow"));
        await using var replica = await Replica.StartAsync(api, "pod-a", settings);
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

        var used = api.Requests.Where(r => r.UserAgent.StartsWith("pod-a", StringComparison.Ordinal)).Select(Permission).ToHashSet(StringComparer.Ordinal);
        // blockOwnerDeletion on the Secret and the ArkFlows needs update on the owner's finalizers (checked by admission, not a request).
        used.Add("team-a|arkonis.dev/arkevents/finalizers:update");
        return used;
    }

    /// <summary>A used permission is granted by a rule for its namespace or by one for every namespace.</summary>
    private static bool Allows(HashSet<string> granted, string used) =>
        granted.Contains(used) || granted.Contains("*|" + used.Split('|')[1]);

    [Fact]
    public async Task The_cluster_wide_install_grants_exactly_the_verbs_a_replica_uses()
    {
        var granted = Granted(Render("deploy"));
        var used = await UsedAsync();

        Assert.All(used, u => Assert.True(Allows(granted, u), $"not granted: {u}"));
        // Every granted rule is used: as a ClusterRole rule (in some namespace) or as the Lease Role's.
        var usedRules = used.Select(u => u.Split('|')[1]).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(granted.Select(g => g.Split('|')[1]).Order(StringComparer.Ordinal), usedRules.Order(StringComparer.Ordinal));
        Assert.All(granted.Where(g => !g.StartsWith("*|", StringComparison.Ordinal)), g => Assert.StartsWith(PodNamespace + "|", g, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_namespaced_install_grants_a_role_per_served_namespace_and_nothing_cluster_wide()
    {
        var objects = Render(Path.Combine("deploy", "overlays", "namespaced"));
        var container = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "arkevent-dispatcher").Spec.Template.Spec.Containers[0];
        var served = container.Env.Where(e => e.Name.StartsWith("Dispatcher__Kubernetes__Namespaces__", StringComparison.Ordinal)).Select(e => e.Value).ToList();
        var granted = Granted(objects);

        Assert.NotEmpty(served);
        Assert.DoesNotContain(granted, g => g.StartsWith("*|", StringComparison.Ordinal));
        Assert.Equal(served.Append(PodNamespace).Order(StringComparer.Ordinal), granted.Select(g => g.Split('|')[0]).Distinct().Order(StringComparer.Ordinal));

        var settings = served.Select((ns, i) => KeyValuePair.Create($"Dispatcher:Kubernetes:Namespaces:{i}", (string?)ns)).ToDictionary();
        var used = await UsedAsync(settings);

        Assert.All(used, u => Assert.True(Allows(granted, u), $"not granted: {u}"));
        // The served namespace that holds the ArkEvent uses its Role whole; every served namespace's Role is the same.
        var roleOf = (string ns) => granted.Where(g => g.StartsWith(ns + "|", StringComparison.Ordinal)).Select(g => g.Split('|')[1]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(roleOf("team-a"), used.Where(u => u.StartsWith("team-a|", StringComparison.Ordinal)).Select(u => u.Split('|')[1]).Order(StringComparer.Ordinal));
        Assert.All(served, ns => Assert.Equal(roleOf("team-a"), roleOf(ns)));
        Assert.Equal(roleOf(PodNamespace), used.Where(u => u.StartsWith(PodNamespace + "|", StringComparison.Ordinal)).Select(u => u.Split('|')[1]).Order(StringComparer.Ordinal));
    }
}
