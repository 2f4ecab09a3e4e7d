using Arkonis.Model.Resources;

namespace Arkonis.Model.Validation;

/// <summary>What validation may know beyond the object itself.</summary>
/// <param name="Previous">The stored object on UPDATE; null on CREATE.</param>
/// <param name="Time">The clock, used only for advice about the coming year (daylight-saving gaps).</param>
public sealed record ValidationContext(ArkEvent? Previous = null, TimeProvider? Time = null)
{
    /// <summary>A CREATE with the system clock.</summary>
    public static ValidationContext ForCreate { get; } = new();
}
