using System.CommandLine;
using Arkonis.Cli.Connections;
using Arkonis.Cli.Output;

namespace Arkonis.Cli;

/// <summary>The options every command takes (recursive), and what one invocation builds from them.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultSecretsFile = "components/secrets.json";

    public Option<string?> Namespace { get; } = new("--namespace", "-n") { Description = "The ArkEvent's namespace (default: the kubeconfig context's, or \"default\")", Recursive = true };

    public Option<string> Output { get; } = CreateOutput();

    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)", Recursive = true };

    public Option<string?> Context { get; } = new("--context") { Description = "The kubeconfig context to use", Recursive = true };

    public Option<string?> Url { get; } = new("--url") { Description = "A local or embedded dispatcher (e.g. http://localhost:8092): no cluster; tokens from --secrets-file", Recursive = true };

    public Option<string> SecretsFile { get; } = new("--secrets-file") { Description = "With --url: the local secrets file daprd serves", Recursive = true, DefaultValueFactory = _ => DefaultSecretsFile };

    public Option<string?> DispatcherUrl { get; } = new("--dispatcher-url") { Description = "In a cluster: the trigger API to call (default: the origin of the event's status.webhookURL)", Recursive = true };

    public IEnumerable<Option> All => [Namespace, Output, Kubeconfig, Context, Url, SecretsFile, DispatcherUrl];

    /// <summary>The connection the options describe; built only by commands that talk to something.</summary>
    public IConnection Connect(ParseResult parse)
    {
        if (parse.GetValue(Url) is { } url)
        {
            return new LocalConnection(HttpUrl("--url", url), parse.GetValue(SecretsFile)!);
        }

        var dispatcher = parse.GetValue(DispatcherUrl) is { } text ? HttpUrl("--dispatcher-url", text) : null;
        return ClusterConnection.FromKubeconfig(parse.GetValue(Kubeconfig), parse.GetValue(Context), dispatcher);
    }

    public OutputFormat FormatOf(ParseResult parse) =>
        string.Equals(parse.GetValue(Output), "json", StringComparison.OrdinalIgnoreCase) ? OutputFormat.Json : OutputFormat.Text;

    private static Uri HttpUrl(string option, string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new CliException($"{option} must be an absolute http(s) URL such as http://localhost:8092, not {text}", ExitCodes.Usage, "usage");

    private static Option<string> CreateOutput()
    {
        var option = new Option<string>("--output", "-o") { Description = "Output format", Recursive = true, DefaultValueFactory = _ => "text" };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }

    public string NamespaceFor(ParseResult parse, IConnection connection) => parse.GetValue(Namespace) ?? connection.DefaultNamespace;
}
