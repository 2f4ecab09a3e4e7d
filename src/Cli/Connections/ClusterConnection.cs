using System.Net;
using System.Text.Json;
using Arkonis.Model.Resources;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using k8s.Models;

namespace Arkonis.Cli.Connections;

/// <summary>
/// A cluster reached through the user's kubeconfig: ArkEvents and ArkFlows through the API server, the token from the
/// Secret <c>NAME-webhook-token</c>, and the dispatcher at <c>--dispatcher-url</c> or else at the origin of the event's
/// <c>status.webhookURL</c>. API errors become messages that name the object and the fix.
/// </summary>
internal sealed class ClusterConnection : IConnection
{
    private readonly IKubernetes _client;
    private readonly Uri? _dispatcher;

    private ClusterConnection(IKubernetes client, string defaultNamespace, Uri? dispatcher)
    {
        _client = client;
        _dispatcher = dispatcher;
        DefaultNamespace = defaultNamespace;
    }

    public string DefaultNamespace { get; }

    public bool CanReadEvents => true;

    /// <summary>Reads the kubeconfig (<c>--kubeconfig</c>, else <c>$KUBECONFIG</c>, else <c>~/.kube/config</c>).</summary>
    public static ClusterConnection FromKubeconfig(string? kubeconfig, string? context, Uri? dispatcher)
    {
        var path = kubeconfig ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator).FirstOrDefault(p => p.Length > 0)
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        if (!File.Exists(path))
        {
            throw new CliException($"no kubeconfig at {path}: set KUBECONFIG or --kubeconfig, or use --url for a local dispatcher", code: "no-kubeconfig");
        }

        KubernetesClientConfiguration config;
        try
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);
        }
        catch (Exception e) when (e is KubeConfigException or IOException or FormatException or ArgumentException or YamlDotNet.Core.YamlException)
        {
            throw new CliException($"cannot use the kubeconfig {path}: {e.Message}", code: "bad-kubeconfig");
        }

        return new ClusterConnection(new Kubernetes(config), config.Namespace is { Length: > 0 } ns ? ns : "default", dispatcher);
    }

    public async Task<ArkEvent> GetEventAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var raw = await CallAsync(
            () => _client.CustomObjects.GetNamespacedCustomObjectAsync(ArkEvent.Group, ArkEvent.Version, ns, ArkEvent.Plural, name, cancellationToken),
            $"ArkEvent {ns}/{name}",
            notFound: $"no ArkEvent {name} in namespace {ns}");
        return KubernetesJson.Deserialize<ArkEvent>(((JsonElement)raw).GetRawText());
    }

    public async Task<string> GetTokenAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var secretName = WebhookTokenSecret.NameFor(name);
        var secret = await CallAsync(
            () => _client.CoreV1.ReadNamespacedSecretAsync(secretName, ns, cancellationToken: cancellationToken),
            $"Secret {ns}/{secretName}",
            notFound: $"no Secret {secretName} in namespace {ns}: the dispatcher writes it for a webhook ArkEvent once it has seen the event");
        if (secret.Data?.TryGetValue(WebhookTokenSecret.TokenKey, out var bytes) == true && bytes.Length > 0)
        {
            return System.Text.Encoding.UTF8.GetString(bytes);
        }

        throw new CliException($"the Secret {ns}/{secretName} has no '{WebhookTokenSecret.TokenKey}' key yet", code: "no-token");
    }

    public async Task<Uri> GetDispatcherAsync(string ns, string name, CancellationToken cancellationToken)
    {
        if (_dispatcher is not null)
        {
            return _dispatcher;
        }

        var ev = await GetEventAsync(ns, name, cancellationToken);
        if (ev.Status?.WebhookUrl is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var published))
        {
            return new Uri(published.GetLeftPart(UriPartial.Authority));
        }

        throw new CliException(
            $"ArkEvent {ns}/{name} has no status.webhookURL yet; pass --dispatcher-url (for example after `kubectl port-forward -n arkonis-system svc/arkevent-dispatcher 8092`)",
            code: "no-dispatcher");
    }

    public async Task RequestRotationAsync(string ns, string name, string value, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(
            JsonSerializer.Serialize(new { metadata = new { annotations = new Dictionary<string, string> { [ClusterNames.RotateTokenAnnotation] = value } } }),
            V1Patch.PatchType.MergePatch);
        await CallAsync(
            () => _client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, ArkEvent.Group, ArkEvent.Version, ns, ArkEvent.Plural, name, cancellationToken: cancellationToken),
            $"ArkEvent {ns}/{name}",
            notFound: $"no ArkEvent {name} in namespace {ns}");
    }

    public async Task<IReadOnlyList<FlowRunRecord>> ListFlowRunsAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var raw = await CallAsync(
            () => _client.CustomObjects.ListNamespacedCustomObjectAsync(
                ArkEvent.Group, ArkEvent.Version, ns, ClusterNames.ArkFlows, labelSelector: $"{ClusterNames.EventLabel}={name}", cancellationToken: cancellationToken),
            $"ArkFlows of {ns}/{name}",
            notFound: "the ArkFlow resource is not installed in this cluster");
        var list = (JsonElement)raw;
        if (!list.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return [.. items.EnumerateArray().Select(FlowRun).Where(r => r.RunId.Length > 0).OrderByDescending(r => r.Created)];
    }

    private static FlowRunRecord FlowRun(JsonElement item)
    {
        var metadata = item.TryGetProperty("metadata", out var m) ? m : default;
        var status = item.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        return new FlowRunRecord(
            Field(Field(metadata, "annotations"), ClusterNames.RunIdAnnotation)?.GetString() ?? string.Empty,
            Field(Field(metadata, "labels"), ClusterNames.PipelineLabel)?.GetString() ?? string.Empty,
            Field(metadata, "name")?.GetString() ?? string.Empty,
            Field(status, "phase")?.GetString(),
            Time(Field(metadata, "creationTimestamp")),
            Time(Field(status, "completionTime")));
    }

    private static JsonElement? Field(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) ? value : null;

    private static DateTimeOffset? Time(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.String } e && DateTimeOffset.TryParse(e.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static async Task<T> CallAsync<T>(Func<Task<T>> call, string what, string notFound)
    {
        try
        {
            return await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException(notFound, code: "not-found");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new CliException($"the API server refused access to {what} ({(int)e.Response.StatusCode}): check your kubeconfig user's RBAC", code: "forbidden");
        }
        catch (HttpOperationException e)
        {
            throw new CliException($"the API server answered {(int)e.Response.StatusCode} for {what}", code: "api-error");
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach the Kubernetes API server: {e.Message}", code: "unreachable");
        }
    }
}
