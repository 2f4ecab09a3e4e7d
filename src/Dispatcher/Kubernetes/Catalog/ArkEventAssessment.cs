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
    public static CatalogEntry Assess(JsonElement item) => Assess(KubernetesJson.Deserialize<ArkEvent>(item.GetRawText()));

    public static CatalogEntry Assess(ArkEvent arkEvent)
    {
        ArkEventDefaulter.Apply(arkEvent);
        var result = ArkEventValidator.Validate(arkEvent);
        return new CatalogEntry(arkEvent, result.Problems.Select(p => p.ToString()).ToList());
    }
}
