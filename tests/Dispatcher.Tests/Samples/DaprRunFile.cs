using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Arkonis.Dispatcher.Tests.Samples;

/// <summary>One app of a run file, resolved the way <c>dapr run -f</c> resolves it.</summary>
public sealed record DaprRunApp(
    string AppId,
    string AppDirPath,
    int AppPort,
    string AppProtocol,
    int DaprHttpPort,
    int DaprGrpcPort,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Env,
    string DaprdLogDestination);

/// <summary>
/// A reading of <c>dapr.yaml</c> that follows the Dapr CLI, so a test can start the apps as <c>dapr run -f .</c> does.
/// Read from dapr/cli (public source, read with the search tool):
/// <list type="bullet">
/// <item><c>pkg/runfileconfig/run_file_config_parser.go</c>: <c>validateRunConfig</c> resolves <c>appDirPath</c> and
/// <c>common.resourcesPaths</c> against the run file's folder (other per-app paths against the app's appDirPath);
/// <c>mergeCommonAndAppsEnv</c> adds <c>common.env</c> entries an app does not set itself;
/// <c>mergeCommonAndAppsSharedRunConfig</c> copies common settings (such as <c>daprdLogDestination</c>) to apps that
/// leave them empty.</item>
/// <item><c>pkg/standalone/run.go</c>: <c>GetAppCommand</c> runs <c>command[0]</c> with <c>command[1..]</c>, the CLI's own
/// environment plus <c>getEnv()</c>: <c>APP_ID</c>, <c>APP_CHANNEL_ADDRESS</c>, <c>APP_PORT</c>, <c>DAPR_HTTP_PORT</c>,
/// <c>DAPR_GRPC_PORT</c>, <c>DAPR_METRICS_PORT</c> (unset numbers skipped), <c>APP_PROTOCOL</c>, then the app's
/// <c>env</c>; <c>LogDestType</c>: <c>console</c>, <c>file</c>, <c>fileAndConsole</c>, daprd's default <c>file</c>.</item>
/// <item><c>cmd/run.go</c>: <c>startDaprdAndAppProcesses(runConfig, app.AppDirPath, ...)</c> sets
/// <c>Command.Dir = commandDir</c> on both the daprd and the app command: both run in the app's appDirPath.</item>
/// </list>
/// </summary>
public sealed class DaprRunFile
{
    private DaprRunFile(string folder, IReadOnlyList<string> resourcesPaths, IReadOnlyList<DaprRunApp> apps)
    {
        Folder = folder;
        ResourcesPaths = resourcesPaths;
        Apps = apps;
    }

    /// <summary>The run file's folder: what relative appDirPath and common.resourcesPaths are resolved against.</summary>
    public string Folder { get; }

    public IReadOnlyList<string> ResourcesPaths { get; }

    public IReadOnlyList<DaprRunApp> Apps { get; }

    public DaprRunApp App(string appId) => Apps.Single(a => a.AppId == appId);

    public static DaprRunFile Load(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var common = Child(root, "common") as YamlMappingNode;
        var commonEnv = Map(common is null ? null : Child(common, "env"));
        var commonLogDestination = common is null ? null : Text(common, "daprdLogDestination");
        var resources = (common is null ? null : Child(common, "resourcesPaths")) is YamlSequenceNode list
            ? list.Children.Select(n => Resolve(folder, ((YamlScalarNode)n).Value!)).ToList()
            : [];

        var apps = ((YamlSequenceNode)Child(root, "apps")!).Children.Cast<YamlMappingNode>().Select(app =>
        {
            var env = new Dictionary<string, string>(Map(Child(app, "env")));
            foreach (var (key, value) in commonEnv)
            {
                env.TryAdd(key, value);
            }
            return new DaprRunApp(
                Text(app, "appID")!,
                Resolve(folder, Text(app, "appDirPath") ?? throw new InvalidOperationException("appDirPath is required")),
                Number(app, "appPort"),
                Text(app, "appProtocol") ?? "http",
                Number(app, "daprHTTPPort"),
                Number(app, "daprGRPCPort"),
                ((YamlSequenceNode)Child(app, "command")!).Children.Select(n => ((YamlScalarNode)n).Value!).ToList(),
                env,
                Text(app, "daprdLogDestination") ?? commonLogDestination ?? "file");
        }).ToList();
        return new DaprRunFile(folder, resources, apps);
    }

    /// <summary>The environment variables the CLI adds for an app's command (<c>getEnv</c>), app <c>env</c> last.</summary>
    public static Dictionary<string, string> CliEnvironment(DaprRunApp app, int metricsPort)
    {
        var env = new Dictionary<string, string>
        {
            ["APP_ID"] = app.AppId,
            ["APP_CHANNEL_ADDRESS"] = "",
            ["DAPR_METRICS_PORT"] = metricsPort.ToString(CultureInfo.InvariantCulture),
            ["APP_PROTOCOL"] = app.AppProtocol.ToLowerInvariant(),
        };
        if (app.AppPort > 0)
        {
            env["APP_PORT"] = app.AppPort.ToString(CultureInfo.InvariantCulture);
        }
        env["DAPR_HTTP_PORT"] = app.DaprHttpPort.ToString(CultureInfo.InvariantCulture);
        env["DAPR_GRPC_PORT"] = app.DaprGrpcPort.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in app.Env)
        {
            env[key] = value;
        }
        return env;
    }

    private static string Resolve(string baseDirectory, string path) => Path.GetFullPath(Path.Combine(baseDirectory, path));

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Text(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    private static int Number(YamlMappingNode node, string key) =>
        Text(node, key) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : -1;

    private static Dictionary<string, string> Map(YamlNode? node) =>
        node is YamlMappingNode map
            ? map.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? "")
            : [];
}
