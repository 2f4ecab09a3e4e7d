using System.Text.Json;
using System.Text.Json.Serialization;
using Arkonis.Model.Resources;
using k8s;

namespace Arkonis.Admission.Reviews;

/// <summary>
/// Compile-time JSON metadata for the ArkEvent model, with the settings of <see cref="KubernetesJson"/>
/// (camelCase, nulls not written, case-sensitive names, enums as strings, the RFC 3339 date converters), so
/// it reads and writes the same JSON as the API client. The webhooks use it instead of
/// <see cref="KubernetesJson"/>, whose options pull in the client's reflection resolver, its generated
/// context for every Kubernetes type and (through the model's YAML attributes) YamlDotNet on the first request:
/// about 30 MB resident and a slower first second, for two classes. ArkEventJsonFidelityTests keep the two equal.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    Converters = [typeof(KubernetesJson.KubernetesDateTimeConverter), typeof(KubernetesJson.KubernetesDateTimeOffsetConverter)])]
[JsonSerializable(typeof(ArkEvent))]
[JsonSerializable(typeof(JsonElement))] // managedFields[].fieldsV1 is typed object: it reads as a JsonElement
internal sealed partial class ArkEventJsonContext : JsonSerializerContext;
