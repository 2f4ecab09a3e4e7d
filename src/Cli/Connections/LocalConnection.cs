using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Model.Resources;

namespace Arkonis.Cli.Connections;

/// <summary>
/// A dispatcher reached at <c>--url</c> (<c>dapr run -f .</c> or the embedded runtime), its tokens read from the same
/// local secrets file daprd's <c>secretstores.local.file</c> serves (<c>components/secrets.json</c>:
/// <c>{ "NAME-webhook-token": { "token": "..." } }</c>). There is no API to read ArkEvents from, so commands that
/// need one say so.
/// </summary>
internal sealed class LocalConnection(Uri dispatcher, string secretsFile) : IConnection
{
    public string DefaultNamespace => "default";

    public bool CanReadEvents => false;

    public Task<ArkEvent> GetEventAsync(string ns, string name, CancellationToken cancellationToken) =>
        throw new CliException($"reading ArkEvent {ns}/{name} needs a cluster; with --url, pass the manifest instead (-f FILE)", ExitCodes.Usage, "needs-cluster");

    public async Task<string> GetTokenAsync(string ns, string name, CancellationToken cancellationToken)
    {
        JsonNode? secrets;
        try
        {
            secrets = JsonNode.Parse(await File.ReadAllTextAsync(secretsFile, cancellationToken));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the secrets file {secretsFile}: {e.Message} (set --secrets-file)", code: "secrets-file");
        }
        catch (JsonException e)
        {
            throw new CliException($"the secrets file {secretsFile} is not JSON: {e.Message}", code: "secrets-file");
        }

        var secretName = WebhookTokenSecret.NameFor(name);
        if (secrets is JsonObject all && all[secretName] is JsonObject secret
            && secret[WebhookTokenSecret.TokenKey] is JsonValue value && value.TryGetValue<string>(out var token) && token.Length > 0)
        {
            return token;
        }

        throw new CliException($"no token for {name} in {secretsFile}: expected {{\"{secretName}\": {{\"{WebhookTokenSecret.TokenKey}\": \"...\"}}}}; is {name} a webhook ArkEvent?", code: "no-token");
    }

    public Task<Uri> GetDispatcherAsync(string ns, string name, CancellationToken cancellationToken) => Task.FromResult(dispatcher);

    public Task RequestRotationAsync(string ns, string name, string value, CancellationToken cancellationToken) =>
        throw new CliException($"rotate-token needs a cluster: with --url the token is whatever {secretsFile} says; edit it (the dispatcher reads it again within seconds)", ExitCodes.Usage, "needs-cluster");

    public Task<IReadOnlyList<FlowRunRecord>> ListFlowRunsAsync(string ns, string name, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<FlowRunRecord>>([]);
}
