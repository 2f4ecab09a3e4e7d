// Shared source: compiled into both services (a <Compile Include> in each csproj), which share no project but the model.
using FluentValidation;
using Microsoft.Extensions.Options;

namespace Arkonis.Hosting;

/// <summary>
/// Runs an options type's FluentValidation validator when the options are first read (at start, with
/// <c>ValidateOnStart</c>). Every failure names its configuration key, <c>Section:Property</c>.
/// </summary>
public sealed class FluentOptionsValidator<TOptions>(string section, IValidator<TOptions> validator) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = validator.Validate(options);
        return result.IsValid
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(result.Errors.Select(e => $"{Key(e.PropertyName)}: {e.ErrorMessage}"));
    }

    private string Key(string property) =>
        string.IsNullOrEmpty(property) ? section : section + ":" + property.Replace('.', ':');
}

public static class ValidatedOptionsExtensions
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, validated by <typeparamref name="TValidator"/> at start.</summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : AbstractValidator<TOptions>, new()
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new FluentOptionsValidator<TOptions>(section, new TValidator()));
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }
}
