using System.Globalization;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Runs;
using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Workflows;

/// <summary>
/// <see cref="IRunPayloads"/> in the Dapr state store (<see cref="RunOptions.StateStore"/>). Each payload is written
/// with a TTL (<c>ttlInSeconds</c>, honoured by <c>state.redis</c> and <c>state.in-memory</c>), so it goes when the
/// run's workflow state goes.
/// </summary>
public sealed class DaprRunPayloadStore(DaprClient dapr, IOptions<RunOptions> options) : IRunPayloads
{
    public Task SaveAsync(string key, JsonNode payload, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var ttl = (long)(o.Retention + o.TargetTimeout).TotalSeconds;
        return dapr.SaveStateAsync(
            o.StateStore, key, payload,
            metadata: new Dictionary<string, string> { ["ttlInSeconds"] = ttl.ToString(CultureInfo.InvariantCulture) },
            cancellationToken: cancellationToken);
    }

    public Task<JsonNode?> LoadAsync(string key, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<JsonNode?>(options.Value.StateStore, key, cancellationToken: cancellationToken);
}
