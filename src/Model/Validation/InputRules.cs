using System.Text.RegularExpressions;
using Arkonis.Model.Resources;
using Arkonis.Model.Templates;

namespace Arkonis.Model.Validation;

/// <summary>
/// <c>spec.targets[i].input</c>: at most <see cref="ArkEventValidator.MaxInputKeys"/> entries (as the CRD), keys a flow step can read as <c>.pipeline.input.&lt;key&gt;</c>, values that parse as
/// templates and only read variables the source type provides. Reading <c>.trigger.body</c> outside a webhook event or
/// <c>.trigger.output</c> outside a flow-output event is Invalid, not a warning: it could only ever render empty.
/// </summary>
internal static partial class InputRules
{
    /// <summary>The longest template value.</summary>
    public const int MaxValueLength = 4096;

    /// <summary>The longest key.</summary>
    public const int MaxKeyLength = 128;

    public static void Check(IDictionary<string, string>? input, string path, string? type, ProblemList list)
    {
        if (input is null)
        {
            return;
        }

        if (input.Count > ArkEventValidator.MaxInputKeys)
        {
            list.Add(FieldProblem.TooMany(path, input.Count, ArkEventValidator.MaxInputKeys));
        }

        foreach (var (key, value) in input.OrderBy(static kv => kv.Key, StringComparer.Ordinal))
        {
            var field = $"{path}[{key}]";
            if (key.Length > MaxKeyLength)
            {
                list.Add(FieldProblem.Invalid(field, key, $"must be no more than {MaxKeyLength} characters"));
            }
            else if (!InputKey().IsMatch(key))
            {
                list.Add(FieldProblem.Invalid(field, key,
                    "an input key must start with a letter or '_' and contain only letters, digits, '_' or '-'"));
            }

            CheckValue(value, field, type, list);
        }
    }

    private static void CheckValue(string? value, string field, string? type, ProblemList list)
    {
        if (value is null)
        {
            list.Add(FieldProblem.Required(field, "use \"\" for an empty value"));
            return;
        }

        if (value.Length > MaxValueLength)
        {
            list.Add(FieldProblem.TooLong(field, MaxValueLength));
            return;
        }

        if (!Template.TryParse(value, out var template, out var error))
        {
            list.Add(FieldProblem.Invalid(field, value, error));
            return;
        }

        foreach (var variable in template.Variables)
        {
            var needs = variable.Field switch
            {
                TriggerField.Body => SourceTypes.Webhook,
                TriggerField.Output => SourceTypes.FlowOutput,
                _ => null,
            };
            if (needs is not null && type is not null && type != needs)
            {
                list.Add(FieldProblem.Invalid(field, value,
                    $"{variable.Text} is only available when type is \"{needs}\"; for \"{type}\" it would always be empty"));
            }
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex InputKey();
}
