using Arkonis.Model.Resources;

namespace Arkonis.Admission.Cycles;

/// <summary>The one thing admission needs from the API server: the ArkEvents of a namespace.</summary>
public interface IArkEventLister
{
    /// <summary>Lists the ArkEvents of <paramref name="ns"/>; throws when the API server cannot answer.</summary>
    Task<IReadOnlyList<ArkEvent>> ListAsync(string ns, CancellationToken cancellationToken);
}
