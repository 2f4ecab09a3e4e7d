using System.Reflection;
using Arkonis.Crd;

namespace Arkonis.Cli.Manifests;

/// <summary>
/// The ArkEvent CustomResourceDefinition <c>validate</c> checks against, installed the way kube-apiserver installs it
/// (<see cref="CrdChecker"/>): <c>--crd PATH</c> (a file or a kustomize directory), else the repository's
/// <c>deploy/crd/</c> found by walking up from the current directory to <c>ArkEvent.sln</c>, else the copy of
/// <c>deploy/crd/arkevents.arkonis.dev.yaml</c> compiled into the tool (an installed tool works anywhere).
/// </summary>
internal static class CrdSource
{
    /// <summary>The manifest resource name of the embedded CRD (a test keeps it equal to the file).</summary>
    public const string EmbeddedName = "arkevents.arkonis.dev.yaml";

    private static readonly Lazy<CrdChecker> EmbeddedChecker = new(() => CrdChecker.Install(Yaml.LoadAll(EmbeddedText()).Single(IsCrd)));

    public static CrdChecker Load(string? path, string startDirectory)
    {
        if (path is not null)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new CliException($"no CRD at {path}: --crd takes a CustomResourceDefinition file or a directory of them", ExitCodes.Usage, "no-crd");
            }

            return Install(path);
        }

        return RepositoryCrd(startDirectory) is { } found ? Install(found) : EmbeddedChecker.Value;
    }

    /// <summary><c>deploy/crd</c> of the checkout that holds <paramref name="startDirectory"/>, if any.</summary>
    public static string? RepositoryCrd(string startDirectory)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ArkEvent.sln")))
            {
                var crd = Path.Combine(dir.FullName, "deploy", "crd");
                return Directory.Exists(crd) ? crd : null;
            }
        }

        return null;
    }

    public static string EmbeddedText()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(EmbeddedName)
            ?? throw new InvalidOperationException($"the embedded {EmbeddedName} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static CrdChecker Install(string path)
    {
        try
        {
            return CrdChecker.Install(path);
        }
        catch (CrdRefusedException e)
        {
            throw new CliException($"{path}: the API server would refuse this CRD: {e.Message}", ExitCodes.Failed, "invalid-crd");
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            throw new CliException($"{path}: not an ArkEvent CustomResourceDefinition: {e.Message}", ExitCodes.Failed, "invalid-crd");
        }
    }

    private static bool IsCrd(System.Text.Json.Nodes.JsonObject o) => (string?)o["kind"] == "CustomResourceDefinition";
}
