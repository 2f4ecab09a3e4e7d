using System.Text.Json;
using System.Text.Json.Serialization;

namespace Arkonis.Admission.Reviews;

/// <summary>The admission.k8s.io/v1 envelope, in both directions.</summary>
public sealed record AdmissionReview
{
    public const string ApiVersionV1 = "admission.k8s.io/v1";
    public const string KindName = "AdmissionReview";

    public string? ApiVersion { get; init; }

    public string? Kind { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdmissionRequest? Request { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdmissionResponse? Response { get; init; }

    public static AdmissionReview Answer(AdmissionResponse response) =>
        new() { ApiVersion = ApiVersionV1, Kind = KindName, Response = response };
}

/// <summary>
/// The request stanza as kube-apiserver builds it (CreateV1AdmissionReview), with the members the webhooks use.
/// The others (<c>resource</c>, <c>subResource</c>, <c>requestKind</c>, <c>requestResource</c>, <c>userInfo</c>,
/// <c>options</c>) are skipped by the reader instead of being built and thrown away on every request.
/// <see cref="Object"/> and <see cref="OldObject"/> stay raw JSON (one parse, no tree until one is needed), so the
/// mutating diff starts from exactly what the server sent and the typed read can name a wrong field's path.
/// </summary>
public sealed record AdmissionRequest
{
    public string? Uid { get; init; }

    public GroupVersionKind? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public string? Operation { get; init; }

    /// <summary>The object to admit; null when absent or JSON null (DELETE).</summary>
    public JsonElement? Object { get; init; }

    /// <summary>The stored object on UPDATE and DELETE; null otherwise.</summary>
    public JsonElement? OldObject { get; init; }

    public bool? DryRun { get; init; }
}

public sealed record GroupVersionKind(string? Group, string? Version, string? Kind);

/// <summary>
/// The response stanza. Null members are not written: a validating answer must not carry
/// <c>patch</c>/<c>patchType</c> keys at all (VerifyAdmissionResponse).
/// </summary>
public sealed record AdmissionResponse
{
    public required string Uid { get; init; }

    public required bool Allowed { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdmissionStatus? Status { get; init; }

    /// <summary>RFC 6902 JSON Patch, base64 on the wire (byte[] serializes as base64).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? Patch { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PatchType { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Warnings { get; init; }
}

/// <summary>A meta/v1 Status, as the apiserver passes it through to the client.</summary>
public sealed record AdmissionStatus
{
    public string Status { get; init; } = "Failure";

    public required string Message { get; init; }

    public required string Reason { get; init; }

    public required int Code { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public StatusDetails? Details { get; init; }
}

public sealed record StatusDetails
{
    public string? Name { get; init; }

    public string? Group { get; init; }

    public string? Kind { get; init; }

    public IReadOnlyList<StatusCause> Causes { get; init; } = [];
}

public sealed record StatusCause(string Reason, string Message, string Field);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AdmissionReview))]
internal sealed partial class AdmissionJsonContext : JsonSerializerContext;
