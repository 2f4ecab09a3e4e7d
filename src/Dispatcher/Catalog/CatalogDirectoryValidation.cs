using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Catalog;

/// <summary>
/// Local mode: the configured catalog directory must exist when the dispatcher starts (checked with the other options
/// on start), so a wrong <c>Catalog:Directory</c> stops the service with the path it looked at, instead of serving an
/// empty catalog that answers every fire with 404 while <c>/readyz</c> says healthy. A relative path is read from the
/// working directory, which is not always the folder the command was typed in: <c>dotnet run --project X</c> runs a
/// web project in X's folder (Microsoft.NET.Sdk.Web sets <c>RunWorkingDirectory</c> to the project directory), and
/// <c>dapr run -f</c> starts each app's command in its <c>appDirPath</c>. A directory removed later, while running,
/// is only logged (the YAML source then serves an empty catalog and says so).
/// </summary>
internal sealed class CatalogDirectoryMustExist : IValidateOptions<CatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, CatalogOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            return ValidateOptionsResult.Skip; // the "required" rule says so
        }
        var full = Path.GetFullPath(options.Directory);
        return Directory.Exists(full)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Catalog:Directory '{options.Directory}' does not exist: looked for {full} (relative paths are read from " +
                $"the working directory, {Environment.CurrentDirectory}). Set Catalog:Directory (environment variable " +
                "Catalog__Directory) to a directory of ArkEvent YAML files, such as the repository's samples/events.");
    }
}
