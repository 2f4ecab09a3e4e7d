using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Arkonis.Admission.Tests.Support;

/// <summary>The repository's deploy/ manifests, read as JSON the way kubectl would send them.</summary>
public static class Repo
{
    public static readonly string RepositoryRoot = FindRoot();

    public static string DeployPath(params string[] parts) => Path.Combine([RepositoryRoot, "deploy", .. parts]);

    public static IReadOnlyList<JsonObject> Load(string path) => Arkonis.Crd.Yaml.LoadFile(path);

    public static JsonObject LoadOne(string path) => Load(path).Single();

    public static IEnumerable<JsonObject> LoadKind(string path, string kind) =>
        Load(path).Where(o => o["kind"]?.GetValue<string>() == kind);

    /// <summary>The <c># expect:</c> comment lines of a manifest, in order.</summary>
    public static IReadOnlyList<string> Expectations(string path) =>
        File.ReadAllLines(path)
            .Where(l => l.StartsWith("# expect:", StringComparison.Ordinal))
            .Select(l => l["# expect:".Length..].Trim())
            .ToList();

    /// <summary>Replaces the <c># expect:</c> lines of a manifest (they stay where the first one was).</summary>
    public static void RewriteExpectations(string path, IReadOnlyList<string> lines)
    {
        var text = File.ReadAllLines(path).ToList();
        var at = text.FindIndex(l => l.StartsWith("# expect:", StringComparison.Ordinal));
        text.RemoveAll(l => l.StartsWith("# expect:", StringComparison.Ordinal));
        text.InsertRange(at < 0 ? 0 : at, lines.Select(l => "# expect: " + l));
        File.WriteAllLines(path, text);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ArkEvent.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("ArkEvent.sln not found above " + AppContext.BaseDirectory);
    }
}
