using System.Text.RegularExpressions;
using Arkonis.Model.Resources;
using Arkonis.Model.Templates;
using FluentValidation;

namespace Arkonis.Model.Validation;

/// <summary>
/// One entry of <c>spec.targets[i].input</c>, reported at <c>input[key]</c>: a key a flow step can read as
/// <c>.pipeline.input.&lt;key&gt;</c>, a value that parses as a template and only reads variables the source type
/// provides. Reading <c>.trigger.body</c> outside a webhook event or <c>.trigger.output</c> outside a flow-output event
/// is Invalid, not a warning: it could only ever render empty.
/// </summary>
internal sealed partial class InputValidator : AbstractValidator<InputEntry>
{
    /// <summary>The longest template value.</summary>
    public const int MaxValueLength = 4096;

    /// <summary>The longest key.</summary>
    public const int MaxKeyLength = 128;

    public InputValidator()
    {
        RuleFor(static e => e.Key)
            .Cascade(CascadeMode.Stop)
            .Must(static key => key.Length <= MaxKeyLength).Invalid($"must be no more than {MaxKeyLength} characters")
            .Must(static key => InputKey().IsMatch(key))
            .Invalid("an input key must start with a letter or '_' and contain only letters, digits, '_' or '-'")
            .AtElement();

        RuleFor(static e => e.Value)
            .Cascade(CascadeMode.Stop)
            .NotNull().Required("use \"\" for an empty value")
            .Must(static value => value!.Length <= MaxValueLength).TooLong(MaxValueLength)
            .Must(static (e, _) => e.Parsed.Error is null).Invalid(static (e, _) => e.Parsed.Error!)
            .AtElement();

        // One problem per variable that the source type never fills.
        RuleForEach(static e => e.Variables)
            .OverrideIndexer(static (_, _, _, _) => string.Empty)
            .Must(static (e, variable) => NeededType(variable) is not { } needs || e.SourceType is null || e.SourceType == needs)
            .Invalid(static (e, variable) =>
                $"{variable.Text} is only available when type is \"{NeededType(variable)}\"; for \"{e.SourceType}\" it would always be empty",
                shown: static (e, _) => e.Value)
            .AtElement();
    }

    // The source type a variable needs, or null when every type provides it.
    private static string? NeededType(TemplateVariable variable) => variable.Field switch
    {
        TriggerField.Body => SourceTypes.Webhook,
        TriggerField.Output => SourceTypes.FlowOutput,
        _ => null,
    };

    // \z, not $: in .NET $ also matches before a final "\n".
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex InputKey();
}

/// <summary>One <c>input</c> entry with the source type it is rendered for (null when unknown); the value is parsed once, when first asked.</summary>
internal sealed class InputEntry(string key, string? value, string? sourceType)
{
    private (Template? Template, string? Error)? _parsed;

    public string Key { get; } = key;

    public string? Value { get; } = value;

    public string? SourceType { get; } = sourceType;

    /// <summary>The entries of a target's input, in ordinal key order (the order problems are reported in).</summary>
    public static IEnumerable<InputEntry> All(TargetInEvent target) =>
        (target.Target?.Input ?? new Dictionary<string, string>())
            .OrderBy(static kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new InputEntry(kv.Key, kv.Value, target.SourceType));

    /// <summary>The parsed template, or the parse error (neither for a missing or too long value, which is reported as such).</summary>
    public (Template? Template, string? Error) Parsed => _parsed ??=
        Value is null || Value.Length > InputValidator.MaxValueLength ? (null, null)
        : Template.TryParse(Value, out var template, out var error) ? (template, null)
        : (null, error);

    /// <summary>The variables the template reads (none when it does not parse).</summary>
    public IReadOnlyList<TemplateVariable> Variables => Parsed.Template?.Variables ?? [];
}
