using Arkonis.Model.Resources;

namespace Arkonis.Model.Validation;

/// <summary>Which rules depend on the source type: only a supported type turns them on (an unknown one is reported once, at the type).</summary>
internal static class SourceTypeRules
{
    /// <summary><paramref name="type"/> when it is a supported source type, else null.</summary>
    public static string? Supported(string? type) => type is not null && SourceTypes.All.Contains(type) ? type : null;

    /// <summary>The detail of a field that belongs to another source type.</summary>
    public static string OnlyFor(string type) => $"may only be set when type is \"{type}\"";
}
