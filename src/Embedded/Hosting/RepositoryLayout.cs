namespace Arkonis.Embedded.Hosting;

/// <summary>
/// The files an embedded run reads from the checkout: <c>samples/events</c> (the ArkEvents), <c>components/secrets.json</c>
/// (the webhook tokens) and <c>src/Dispatcher</c> (the dispatcher's content root: its appsettings.json). Found from
/// the repository root, the first folder holding <c>ArkEvent.sln</c> walking up from where the command was started
/// (or, failing that, from the built program), so the run command works from any folder of the checkout.
/// </summary>
public sealed record RepositoryLayout(string Root)
{
    public const string SolutionFile = "ArkEvent.sln";

    public string EventsDirectory => Path.Combine(Root, "samples", "events");

    public string SecretsFile => Path.Combine(Root, "components", "secrets.json");

    /// <summary>The Dapr Configuration (<c>components/configuration.yaml</c>); optional: without it finished runs are kept.</summary>
    public string ConfigurationFile => Path.Combine(Root, "components", "configuration.yaml");

    public string DispatcherProject => Path.Combine(Root, "src", "Dispatcher");

    /// <summary>A path as the user would type it from the repository root (<c>samples/events</c>).</summary>
    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>The layout of the first folder holding <see cref="SolutionFile"/> above any start; every part checked.</summary>
    public static RepositoryLayout Find(params string[] starts)
    {
        foreach (var start in starts)
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, SolutionFile)))
                {
                    return new RepositoryLayout(folder.FullName).Checked();
                }
            }
        }
        throw new RepositoryLayoutException(
            $"No {SolutionFile} found above {string.Join(" or ", starts.Distinct())}. The embedded run reads samples/events " +
            "and components/secrets.json from the ArkEvent checkout: start it from inside the repository.");
    }

    private RepositoryLayout Checked()
    {
        var missing = new[] { EventsDirectory, SecretsFile, DispatcherProject }
            .Where(path => !Directory.Exists(path) && !File.Exists(path))
            .ToList();
        return missing.Count == 0
            ? this
            : throw new RepositoryLayoutException($"The checkout at {Root} lacks {string.Join(", ", missing.Select(Relative))}; the embedded run needs it.");
    }
}

/// <summary>The checkout the embedded run needs is not where it looked.</summary>
public sealed class RepositoryLayoutException(string message) : Exception(message);
