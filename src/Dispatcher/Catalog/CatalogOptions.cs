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

/// <summary>
/// The catalog settings, checked at start. The directory must exist: a wrong <c>Catalog:Directory</c> stops the service
/// with the path it looked at, instead of serving an empty catalog that answers every fire with 404 while
/// <c>/readyz</c> says healthy. A relative path is read from the working directory, which is not always the folder the
/// command was typed in: <c>dotnet run --project X</c> runs a web project in X's folder (Microsoft.NET.Sdk.Web sets
/// <c>RunWorkingDirectory</c> to the project directory), and <c>dapr run -f</c> starts each app's command in its
/// <c>appDirPath</c>. A directory removed later, while running, is only logged.
/// </summary>
public sealed class CatalogOptionsValidator : AbstractValidator<CatalogOptions>
{
    public CatalogOptionsValidator()
    {
        RuleFor(o => o.Directory).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("is required")
            .Must(directory => System.IO.Directory.Exists(Path.GetFullPath(directory))).WithMessage(o => MissingDirectory(o.Directory));
        RuleFor(o => o.PollInterval).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
    }

    private static string MissingDirectory(string directory) =>
        $"'{directory}' does not exist: looked for {Path.GetFullPath(directory)} (relative paths are read from the working " +
        $"directory, {Environment.CurrentDirectory}). Set Catalog:Directory (environment variable Catalog__Directory) to a " +
        "directory of ArkEvent YAML files, such as the repository's samples/events.";
}
