using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Arkonis.Admission.Tests.Support;
using Arkonis.Crd;

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

    public static TheoryData<string> ClusterPages => new() { "README.md", "docs/cluster.md" };

    /// <summary>The install steps name what the manifests hold: images and tag, kustomizations, certificates, webhook configurations.</summary>
    [Theory]
    [MemberData(nameof(ClusterPages))]
    public void The_install_steps_match_the_manifests(string page)
    {
        var text = File.ReadAllText(Path.Combine(Repo.RepositoryRoot, page));
        var commands = ShellBlock().Matches(text).SelectMany(m => m.Groups[1].Value.Split('\n')).ToList();

        // The VERSION the page computes is the tag the install deploys, and the page builds, loads and deploys those images.
        var versionLine = Assert.Single(commands, c => c.StartsWith("VERSION=", StringComparison.Ordinal));
        Assert.Contains("Directory.Build.props", versionLine, StringComparison.Ordinal);
        foreach (var image in new[] { "ghcr.io/arkonis/arkevent-admission", "ghcr.io/arkonis/arkevent-dispatcher" })
        {
            Assert.Contains(commands, c => c.StartsWith("docker build", StringComparison.Ordinal) && c.Contains($"-t {image}:$VERSION", StringComparison.Ordinal));
            Assert.Contains(commands, c => c.StartsWith("kind load docker-image", StringComparison.Ordinal) && c.Contains($"{image}:$VERSION", StringComparison.Ordinal));
        }
        Assert.DoesNotContain(commands, c => c.Contains(":latest", StringComparison.Ordinal));

        // Every kustomization applied exists; certificates waited for and webhook configurations polled are the ones installed.
        foreach (Match apply in Regex.Matches(text, @"kubectl apply -k ([A-Za-z0-9_./-]+)"))
        {
            Assert.True(File.Exists(Path.Combine(Repo.RepositoryRoot, apply.Groups[1].Value, "kustomization.yaml")), apply.Value);
        }
        var installed = Render("deploy");
        var names = (string kind) => installed.Where(o => (string?)o["kind"] == kind).Select(o => (string)o["metadata"]!["name"]!).ToHashSet(StringComparer.Ordinal);
        foreach (Match certificate in Regex.Matches(text, @"certificate/([a-z0-9-]+)"))
        {
            Assert.Contains(certificate.Groups[1].Value, names("Certificate"));
        }
        foreach (Match webhook in Regex.Matches(text, @"(validating|mutating)webhookconfiguration ([a-z0-9-]+)"))
        {
            Assert.Contains(webhook.Groups[2].Value, names(webhook.Groups[1].Value == "validating" ? "ValidatingWebhookConfiguration" : "MutatingWebhookConfiguration"));
        }
        foreach (Match deployment in Regex.Matches(text, @"deployment/([a-z0-9-]+)"))
        {
            Assert.Contains(deployment.Groups[1].Value, names("Deployment"));
        }
        // The CA is waited for before anything is written through the webhook.
        var install = commands.SkipWhile(c => !c.StartsWith("kind create cluster", StringComparison.Ordinal)).ToList();
        var caWait = install.FindIndex(c => c.Contains("caBundle", StringComparison.Ordinal));
        var firstEvent = install.FindIndex(c => c.StartsWith("kubectl apply -f deploy/examples/", StringComparison.Ordinal));
        Assert.InRange(caWait, 0, firstEvent);
    }

    [GeneratedRegex("```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"<Version>([^<]+)</Version>")]
    private static partial Regex VersionElement();
}
