namespace Arkonis.Cli.Tests.Support;

/// <summary>Paths in the repository (the examples are fixtures).</summary>
public static class Repo
{
    public static readonly string Root = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The <c># expect:</c> lines of a manifest: what kubectl prints for it.</summary>
    public static IReadOnlyList<string> Expectations(string path) =>
        File.ReadAllLines(path)
            .Where(l => l.StartsWith("# expect:", StringComparison.Ordinal))
            .Select(l => l["# expect:".Length..].Trim())
            .ToList();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "ArkEvent.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("ArkEvent.sln not found above " + AppContext.BaseDirectory);
    }
}
