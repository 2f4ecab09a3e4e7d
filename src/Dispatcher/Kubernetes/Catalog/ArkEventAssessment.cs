using System.Runtime.CompilerServices;
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
    // One validator per clock (in practice the one the host injects): building a validator compiles its rules.
    private static readonly ConditionalWeakTable<TimeProvider, ArkEventValidator> Validators = new();

    public static CatalogEntry Assess(JsonElement item, TimeProvider time) => Assess(KubernetesJson.Deserialize<ArkEvent>(item), time);

    public static CatalogEntry Assess(ArkEvent arkEvent, TimeProvider time)
    {
        ArkEventDefaulter.Apply(arkEvent);
        var result = Validators.GetValue(time, static t => new ArkEventValidator(t)).Check(arkEvent);
        return new CatalogEntry(arkEvent, result.Problems.Select(p => p.ToString()).ToList());
    }
}
