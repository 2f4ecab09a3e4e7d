using System.Text.Json;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Model.Defaulting;
using Arkonis.Model.Resources;
using Arkonis.Model.Validation;
using k8s;

namespace Arkonis.Dispatcher.Kubernetes.Catalog;

/// <summary>
/// Turns an ArkEvent read from the API server into a catalog entry: defaulted as admission would have done, and
/// validated, so an event that bypassed admission is held with its problems and never fires.
/// </summary>
internal static class ArkEventAssessment
{
    public static CatalogEntry Assess(JsonElement item, TimeProvider time) => Assess(KubernetesJson.Deserialize<ArkEvent>(item), time);

    public static CatalogEntry Assess(ArkEvent arkEvent, TimeProvider time)
    {
        ArkEventDefaulter.Apply(arkEvent);
        var result = ArkEventValidator.Validate(arkEvent, new ValidationContext(Time: time));
        return new CatalogEntry(arkEvent, result.Problems.Select(p => p.ToString()).ToList());
    }
}
