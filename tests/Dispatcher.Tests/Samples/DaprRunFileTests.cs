using Arkonis.Dispatcher.Tests.Catalog;
using YamlDotNet.RepresentationModel;

namespace Arkonis.Dispatcher.Tests.Samples;

/// <summary>
/// What daprd reads when <c>dapr run -f .</c> starts it: the resources paths (resolved against dapr.yaml's folder), files
/// named by components (opened relative to daprd's working directory, the app's appDirPath: dapr/cli cmd/run.go
/// <c>startDaprdAndAppProcesses</c> sets <c>daprCMD.Command.Dir</c>), and where its log goes.
/// </summary>
public sealed class DaprRunFileTests
{
    private static readonly string Root = YamlDirectoryCatalogTests.RepositoryRoot();

    private static DaprRunFile RunFile() => DaprRunFile.Load(Path.Combine(Root, "dapr.yaml"));

    [Fact]
    public void Every_appDirPath_and_resources_path_exists_and_each_app_has_its_project_there()
    {
        var runFile = RunFile();

        Assert.NotEmpty(runFile.ResourcesPaths);
        Assert.All(runFile.ResourcesPaths, p => Assert.True(Directory.Exists(p), p));
        Assert.All(runFile.Apps, app =>
        {
            Assert.True(Directory.Exists(app.AppDirPath), app.AppDirPath);
            // `dotnet run` with no --project needs exactly one project in the folder it runs in.
            if (app.Command.SequenceEqual(["dotnet", "run"]))
            {
                Assert.Single(Directory.EnumerateFiles(app.AppDirPath, "*.csproj"));
            }
        });
    }

    [Fact]
    public void A_local_file_secret_store_finds_its_file_from_each_app_directory_it_is_scoped_to()
    {
        var runFile = RunFile();
        var stores = runFile.ResourcesPaths.SelectMany(p => Directory.EnumerateFiles(p, "*.yaml"))
            .Select(Load)
            .Where(c => Text(c, "kind") == "Component" && Text((YamlMappingNode)c.Children[new YamlScalarNode("spec")], "type") == "secretstores.local.file")
            .ToList();

        Assert.NotEmpty(stores);
        foreach (var store in stores)
        {
            var metadata = (YamlSequenceNode)((YamlMappingNode)store.Children[new YamlScalarNode("spec")]).Children[new YamlScalarNode("metadata")];
            var file = metadata.Children.Cast<YamlMappingNode>().Single(m => Text(m, "name") == "secretsFile");
            var scopes = ((YamlSequenceNode)store.Children[new YamlScalarNode("scopes")]).Children.Select(s => ((YamlScalarNode)s).Value!).ToList();
            Assert.NotEmpty(scopes);
            Assert.All(scopes, appId =>
            {
                var path = Path.GetFullPath(Path.Combine(runFile.App(appId).AppDirPath, Text(file, "value")!));
                Assert.True(File.Exists(path), $"{appId}'s daprd would open {path}");
            });
        }
    }

    [Fact]
    public void Daprd_logs_to_the_console_too_and_its_log_files_are_ignored_by_git()
    {
        // dapr/cli pkg/standalone/run.go: LogDestType console | file | fileAndConsole, DefaultDaprdLogDest = file;
        // pkg/runfileconfig/run_file_config.go writes the files under <appDirPath>/.dapr/logs.
        Assert.All(RunFile().Apps, app => Assert.Contains(app.DaprdLogDestination, new[] { "fileAndConsole", "console" }));
        Assert.Contains(".dapr/", File.ReadAllLines(Path.Combine(Root, ".gitignore")));
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string? Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;
}
