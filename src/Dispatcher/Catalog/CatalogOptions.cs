using FluentValidation;

namespace Arkonis.Dispatcher.Catalog;

/// <summary>Where ArkEvents come from when the dispatcher runs outside Kubernetes.</summary>
public sealed record CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>A directory of ArkEvent YAML files (relative paths are read from the working directory).</summary>
    public string Directory { get; init; } = "samples/events";

    /// <summary>How often the directory is re-checked for changes (file watching also triggers a reload at once).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The namespace of an ArkEvent whose file names none.</summary>
    public string DefaultNamespace { get; init; } = "default";
}

public sealed class CatalogOptionsValidator : AbstractValidator<CatalogOptions>
{
    public CatalogOptionsValidator()
    {
        RuleFor(o => o.Directory).NotEmpty().WithMessage("is required");
        RuleFor(o => o.PollInterval).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
    }
}
