using System.Diagnostics.CodeAnalysis;

namespace Arkonis.Model.Templates;

/// <summary>Parses the inside of one <c>{{ }}</c> action: a single <c>.trigger...</c> variable.</summary>
internal static class TemplateVariables
{
    public const string Supported =
        ".trigger.name, .trigger.namespace, .trigger.firedAt, .trigger.body[.<path>] (webhook), .trigger.output[.<path>] (flow-output)";

    public static bool TryParse(string expression, [NotNullWhen(true)] out TemplateVariable? variable, [NotNullWhen(false)] out string? error)
    {
        variable = null;
        if (expression.Length == 0)
        {
            error = "the action is empty; write a variable such as {{ .trigger.body.topic }}";
            return false;
        }

        if (expression[0] != '.' || expression.Contains(' ', StringComparison.Ordinal) || expression.Contains('|', StringComparison.Ordinal))
        {
            error = $"\"{expression}\" is not supported: only a variable is allowed ({Supported})";
            return false;
        }

        var segments = expression[1..].Split('.');
        foreach (var segment in segments)
        {
            if (segment.Length == 0 || !segment.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                error = $"\"{expression}\" is not a valid variable: path segments are letters, digits, '_' or '-'";
                return false;
            }
        }

        TriggerField? field = segments is ["trigger", var root, ..] ? root switch
        {
            "name" when segments.Length == 2 => TriggerField.Name,
            "namespace" when segments.Length == 2 => TriggerField.Namespace,
            "firedAt" when segments.Length == 2 => TriggerField.FiredAt,
            "body" => TriggerField.Body,
            "output" => TriggerField.Output,
            _ => null,
        } : null;

        if (field is null)
        {
            error = $"unknown variable \"{expression}\"; supported are {Supported}";
            return false;
        }

        variable = new TemplateVariable(field.Value, segments[2..], expression);
        error = null;
        return true;
    }
}
