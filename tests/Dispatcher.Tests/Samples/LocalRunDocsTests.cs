using System.Text.RegularExpressions;
using System.Xml.Linq;
using Arkonis.Dispatcher.Tests.Catalog;

namespace Arkonis.Dispatcher.Tests.Samples;

/// <summary>
/// The local-run instructions: the runtime pinned in <c>dapr init --slim --runtime-version</c> (dapr/cli cmd/init.go:
/// the flag defaults to "latest") is the one that matches the Dapr SDK we build with, the control plane is started by
/// the script that exists, and no step uses the retired <c>dapr dashboard</c>.
/// </summary>
public sealed class LocalRunDocsTests
{
    private static readonly string Root = YamlDirectoryCatalogTests.RepositoryRoot();

    public static TheoryData<string> Pages => ["README.md", "docs/local-run.md"];

    private static string SdkMinor()
    {
        var versions = XDocument.Load(Path.Combine(Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Where(p => ((string?)p.Attribute("Include"))?.StartsWith("Dapr.", StringComparison.Ordinal) == true)
            .Select(p => (string)p.Attribute("Version")!)
            .Distinct()
            .ToList();
        var version = Assert.Single(versions);
        return string.Join('.', version.Split('.').Take(2));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Dapr_init_pins_the_runtime_of_our_SDK_and_the_control_plane_comes_from_the_script(string page)
    {
        var text = File.ReadAllText(Path.Combine(Root, page));
        var inits = Regex.Matches(text, @"dapr init --slim[^\n]*").Select(m => m.Value).ToList();

        Assert.NotEmpty(inits);
        Assert.All(inits, init => Assert.Matches(@"--runtime-version " + Regex.Escape(SdkMinor()) + @"\.\d+\b", init));
        Assert.Contains("scripts/dapr-control-plane.sh start", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Root, "scripts", "dapr-control-plane.sh")));
        Assert.DoesNotContain("~/.dapr/bin/placement", text, StringComparison.Ordinal);
        Assert.DoesNotContain("~/.dapr/bin/scheduler", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void No_step_runs_the_retired_dashboard(string page)
    {
        var commands = Regex.Matches(File.ReadAllText(Path.Combine(Root, page)), "```sh\n(.*?)```", RegexOptions.Singleline)
            .SelectMany(m => m.Groups[1].Value.Split('\n'));

        Assert.DoesNotContain(commands, line => line.TrimStart().StartsWith("dapr dashboard", StringComparison.Ordinal));
    }
}
