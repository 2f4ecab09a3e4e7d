namespace Arkonis.Embedded.Runtime;

/// <summary>
/// The components the embedded runtime serves, named as in <c>components/</c> (the files <c>dapr run -f .</c> loads):
/// a request naming another store or pub/sub is answered as daprd answers an unknown component.
/// </summary>
public sealed record RuntimeComponents
{
    /// <summary><c>components/secrets.yaml</c>: <c>secretstores.local.file</c>, multi-valued.</summary>
    public string SecretStore { get; init; } = "arkevent-secrets";

    /// <summary><c>components/pubsub.yaml</c>: <c>pubsub.in-memory</c>.</summary>
    public string PubSub { get; init; } = "arkevent-pubsub";

    /// <summary><c>components/statestore.yaml</c>: <c>state.in-memory</c>.</summary>
    public string StateStore { get; init; } = "arkevent-state";

    /// <summary><c>components/cron.yaml</c>: <c>bindings.cron</c>, input only; daprd POSTs <c>/{name}</c> on the app.</summary>
    public string CronBinding { get; init; } = "arkevent-cron";

    /// <summary>The cron binding's schedule, <c>@every 1s</c>.</summary>
    public TimeSpan CronInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The app id the flow runner is invoked by (<c>/v1.0/invoke/{id}/method/...</c>).</summary>
    public string FlowRunnerAppId { get; init; } = "flow-runner";
}
