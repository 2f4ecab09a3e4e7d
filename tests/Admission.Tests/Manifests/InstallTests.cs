using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Arkonis.Admission.Tests.Support;
using Arkonis.Testing.Kubernetes;

namespace Arkonis.Admission.Tests.Manifests;

/// <summary>
/// The installs render (<c>kubectl kustomize</c>, as <c>kubectl apply -k</c> would), run the versioned images, keep
/// the host's build output out of the image context, and fence the pods with NetworkPolicies.
/// </summary>
public sealed partial class InstallTests
{
    public static TheoryData<string> Installs => new() { "deploy", "deploy/overlays/namespaced" };

    private static IReadOnlyList<JsonObject> Render(string kustomization)
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", Path.Combine(Repo.RepositoryRoot, kustomization)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var kubectl = Process.Start(start)!;
        var output = kubectl.StandardOutput.ReadToEndAsync();
        var error = kubectl.StandardError.ReadToEnd();
        kubectl.WaitForExit();
        Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize {kustomization}: {error}");
        return Yaml.LoadAll(output.Result);
    }

    private static string Version() =>
        VersionElement().Match(File.ReadAllText(Path.Combine(Repo.RepositoryRoot, "Directory.Build.props"))).Groups[1].Value;

    [Theory]
    [MemberData(nameof(Installs))]
    public void The_install_renders_and_runs_both_images_at_the_release_version(string kustomization)
    {
        var objects = Render(kustomization);

        var images = objects.Where(o => (string?)o["kind"] == "Deployment")
            .SelectMany(d => d["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => (string)c!["image"]!))
            .Order(StringComparer.Ordinal);
        var version = Version();
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
        Assert.Equal([$"ghcr.io/arkonis/arkevent-admission:{version}", $"ghcr.io/arkonis/arkevent-dispatcher:{version}"], images);
        Assert.Single(objects, o => (string?)o["kind"] == "CustomResourceDefinition");
        Assert.Equal(4, objects.Count(o => (string?)o["kind"] is "Issuer" or "Certificate"));
    }

    [Fact]
    public void No_manifest_names_a_latest_image()
    {
        foreach (var file in Directory.GetFiles(Repo.DeployPath(), "*.yaml", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(":latest", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> Dockerfiles => new() { "deploy/dispatcher/Dockerfile", "src/Admission/Dockerfile" };

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void The_image_builds_from_sources_only_and_runs_as_non_root(string dockerfile)
    {
        var lines = File.ReadAllLines(Path.Combine(Repo.RepositoryRoot, dockerfile));
        var copies = lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]).ToList();
        Assert.All(copies, source => Assert.True(Path.Exists(Path.Combine(Repo.RepositoryRoot, source)), $"{dockerfile} copies {source}, which is not in the repository"));
        Assert.Contains("src/Shared/", copies); // ValidatedOptions.cs is compiled into both services
        Assert.Contains("src/Model/", copies);

        var ignored = File.ReadAllLines(Path.Combine(Repo.RepositoryRoot, ".dockerignore")).Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.DoesNotContain(copies, c => ignored.Contains(c) || ignored.Contains(c.TrimEnd('/') + "/"));

        var final = lines.SkipWhile(l => !l.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet", StringComparison.Ordinal)).ToList();
        Assert.Contains("chiseled", final[0], StringComparison.Ordinal);
        Assert.Contains("USER 1654:1654", final);
    }

    [Fact]
    public void Network_policies_open_8092_to_callers_8443_to_the_api_server_and_8093_to_no_one()
    {
        var policies = Render("deploy").Where(o => (string?)o["kind"] == "NetworkPolicy")
            .ToDictionary(p => (string)p["metadata"]!["name"]!, StringComparer.Ordinal);

        var ports = (string name) => policies[name]["spec"]!["ingress"]!.AsArray().SelectMany(r => r!["ports"]!.AsArray().Select(p => (long)p!["port"]!)).Order().ToList();
        Assert.Equal([8092L, 50002L], ports("arkevent-dispatcher"));
        Assert.Equal([8443L], ports("arkevent-admission"));
        Assert.Equal(["Ingress"], policies["arkevent-admission"]["spec"]!["policyTypes"]!.AsArray().Select(t => (string)t!));
        var apiServer = Assert.Single(policies["arkevent-admission"]["spec"]!["ingress"]![0]!["from"]!.AsArray())!;
        Assert.NotNull(apiServer["ipBlock"]!["cidr"]);
        // 50002 (daprd to daprd) only from the dispatcher's own pods.
        var sidecars = policies["arkevent-dispatcher"]["spec"]!["ingress"]!.AsArray().Single(r => (long)r!["ports"]![0]!["port"]! == 50002)!;
        Assert.Equal("arkevent-dispatcher", (string?)sidecars["from"]![0]!["podSelector"]!["matchLabels"]!["app.kubernetes.io/name"]);
    }

    [GeneratedRegex(@"<Version>([^<]+)</Version>")]
    private static partial Regex VersionElement();
}
