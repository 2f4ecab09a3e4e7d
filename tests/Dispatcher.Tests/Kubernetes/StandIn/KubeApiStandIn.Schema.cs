using System.Text.Json.Nodes;
using Arkonis.Crd;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>One admission webhook call: the operation, the object as it stands at this step, the stored one on an update.</summary>
public sealed record AdmissionCall(string Operation, JsonObject Object, JsonObject? OldObject);

/// <summary>
/// A webhook's answer: allowed (a mutating webhook may hand back the changed object), or denied with its Status
/// (<c>code</c>, <c>reason</c>, <c>message</c>, <c>details</c>), which kube-apiserver passes on after ToStatusErr.
/// </summary>
public sealed record WebhookVerdict(bool Allowed, JsonObject? Object = null, JsonObject? Status = null)
{
    public static WebhookVerdict Allow(JsonObject? changed = null) => new(true, changed);

    public static WebhookVerdict Deny(JsonObject status) => new(false, Status: status);
}

/// <summary>
/// Custom resources as kube-apiserver treats them: the CRDs in deploy/crd are installed through
/// <see cref="CrdChecker"/> (refused as the API server would refuse them), and every write of their objects follows
/// the order of <c>staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go</c> and
/// <c>pkg/registry/generic/registry/store.go</c>: decode (schema defaults, pruning), the mutating webhook (when a test
/// wires <see cref="MutatingWebhook"/>), decode again, the registry's <c>BeforeCreate</c>/<c>BeforeUpdate</c> (the
/// schema and its CEL rules: 422 Invalid), and only then the validating webhook (<see cref="ValidatingWebhook"/>),
/// which never sees an object the schema refused. Writes to the status subresource go through the schema but not
/// the webhooks (the webhook rules name <c>arkevents</c>, not <c>arkevents/status</c>).
/// </summary>
public sealed partial class KubeApiStandIn
{
    /// <summary>The names kube-apiserver puts in "admission webhook ... denied the request".</summary>
    public const string MutatingWebhookName = "markevent.arkonis.dev";

    public const string ValidatingWebhookName = "varkevent.arkonis.dev";

    private static readonly Lazy<Dictionary<string, CrdChecker>> InstalledCrds = new(InstallCrds);

    /// <summary>The installed CRD of a plural (<c>arkevents</c>), or <see langword="null"/> when deploy/crd has none for it.</summary>
    public static CrdChecker? Crd(string plural) => InstalledCrds.Value.GetValueOrDefault(plural);

    /// <summary>Called on CREATE and UPDATE of an ArkEvent before the schema; may change the object.</summary>
    public Func<AdmissionCall, WebhookVerdict>? MutatingWebhook { get; set; }

    /// <summary>Called on CREATE and UPDATE of an ArkEvent the schema admitted.</summary>
    public Func<AdmissionCall, WebhookVerdict>? ValidatingWebhook { get; set; }

    /// <summary>Create: decode, mutate, the schema, validate. <see langword="null"/> when admitted (then <paramref name="obj"/> is what is stored).</summary>
    private Reply? AdmitCreate(string plural, ResourceType type, string name, ref JsonObject obj) =>
        Admit(plural, type, name, "CREATE", ref obj, old: null, subresource: false);

    /// <summary>Update (replace or patch; <paramref name="subresource"/> for /status): the same steps against the stored object.</summary>
    private Reply? AdmitUpdate(string plural, ResourceType type, string name, JsonObject stored, ref JsonObject next, bool subresource) =>
        Admit(plural, type, name, "UPDATE", ref next, stored, subresource);

    private Reply? Admit(string plural, ResourceType type, string name, string operation, ref JsonObject obj, JsonObject? old, bool subresource)
    {
        if (Crd(plural) is not { } crd)
        {
            return null;
        }
        var decoded = crd.Decode(obj);
        if (!subresource && MutatingWebhook?.Invoke(new AdmissionCall(operation, decoded.DeepClone().AsObject(), old?.DeepClone().AsObject())) is { } mutated)
        {
            if (!mutated.Allowed)
            {
                return Denied(MutatingWebhookName, mutated.Status);
            }
            decoded = crd.Decode(mutated.Object ?? decoded);
        }
        var verdict = old is null ? crd.Create(decoded) : crd.Validate(decoded, old);
        if (!verdict.Allowed)
        {
            return new Reply(422, crd.InvalidStatus(name, verdict.Errors));
        }
        if (!subresource && ValidatingWebhook?.Invoke(new AdmissionCall(operation, verdict.Object.DeepClone().AsObject(), old?.DeepClone().AsObject())) is { Allowed: false } denied)
        {
            return Denied(ValidatingWebhookName, denied.Status);
        }
        obj = verdict.Object;
        if (old is not null && type.IsCustom && !subresource)
        {
            obj["status"] = old["status"]?.DeepClone(); // PrepareForUpdate: the status subresource keeps status
        }
        return null;
    }

    /// <summary>ToStatusErr (k8s.io/apiserver webhook errors): code below 400 becomes 400, the message names the webhook.</summary>
    private static Reply Denied(string webhook, JsonObject? status)
    {
        var body = status?.DeepClone().AsObject() ?? [];
        var code = (int?)body["code"] is { } c && c >= 400 ? c : 400;
        var message = (string?)body["message"] is { Length: > 0 } m ? m : (string?)body["reason"];
        body["kind"] = "Status";
        body["apiVersion"] = "v1";
        body["metadata"] ??= new JsonObject();
        body["status"] = "Failure";
        body["message"] = string.IsNullOrEmpty(message)
            ? $"admission webhook \"{webhook}\" denied the request without explanation"
            : $"admission webhook \"{webhook}\" denied the request: {message}";
        body["code"] = code;
        return new Reply(code, body);
    }

    /// <summary>A stored object of an installed CRD must pass it, as if a client had created it (status kept for seeding).</summary>
    private static JsonObject Admitted(string plural, JsonObject obj)
    {
        if (Crd(plural) is not { } crd)
        {
            return obj;
        }
        obj["apiVersion"] ??= crd.ApiVersion;
        obj["kind"] ??= crd.Kind;
        var verdict = crd.Validate(obj);
        if (!verdict.Allowed)
        {
            throw new InvalidOperationException(
                $"the API server would refuse this {crd.Kind}: " + (string?)crd.InvalidStatus((string?)obj["metadata"]?["name"] ?? "", verdict.Errors)["message"]);
        }
        return verdict.Object;
    }

    private static Dictionary<string, CrdChecker> InstallCrds()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ArkEvent.sln")))
        {
            dir = dir.Parent;
        }
        var crds = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "deploy", "crd");
        var installed = new Dictionary<string, CrdChecker>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(crds, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml"))
        {
            var checker = CrdChecker.Install(file);
            installed[checker.Plural] = checker;
        }
        return installed;
    }
}
