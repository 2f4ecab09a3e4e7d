using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Arkonis.Crd;

/// <summary>
/// One <c>field.Error</c> of apimachinery (<c>staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go</c>):
/// a type (<c>FieldValueRequired</c>, ...), a field path, the bad value as Go prints it (<see langword="null"/>: omitted)
/// and a detail. <see cref="Body"/> is <c>ErrorBody()</c>, the message of a Status cause and of a kubectl line.
/// </summary>
public sealed record FieldError(string Type, string Field, string? Value, string Detail)
{
    public const string Required = "FieldValueRequired";
    public const string Forbidden = "FieldValueForbidden";
    public const string Invalid = "FieldValueInvalid";
    public const string Duplicate = "FieldValueDuplicate";
    public const string NotSupported = "FieldValueNotSupported";
    public const string TooLong = "FieldValueTooLong";
    public const string TooMany = "FieldValueTooMany";
    public const string TypeInvalid = "FieldValueTypeInvalid";
    public const string Internal = "InternalError";

    /// <summary><c>ErrorBody()</c>: Required, Forbidden, TooLong and Internal never print the value.</summary>
    public string Body()
    {
        var text = new StringBuilder(TypeText(Type));
        if (Value is not null && Type is not (Required or Forbidden or TooLong or Internal))
        {
            text.Append(": ").Append(Value);
        }
        if (Detail.Length > 0)
        {
            text.Append(": ").Append(Detail);
        }
        return text.ToString();
    }

    public override string ToString() => $"{Field}: {Body()}";

    /// <summary><c>field.Invalid(nil, nil, ...)</c>: a nil path prints as <c>&lt;nil&gt;</c>, a nil value as "null".</summary>
    public const string NilPath = "<nil>";

    /// <summary>How <c>ErrorBody</c> prints a value: %q for strings, %v for numbers and booleans, %#v for the rest.</summary>
    public static string GoValue(JsonNode? value) => value switch
    {
        null => Quote("null"),
        JsonValue v when v.TryGetValue<string>(out var s) => Quote(s),
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue<long>(out var l) => l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<double>(out var d) => d.ToString("G", CultureInfo.InvariantCulture),
        JsonValue v => v.ToJsonString(),
        JsonObject o => "map[string]interface {}{" + string.Join(", ", o.Select(p => $"{Quote(p.Key)}:{GoInterface(p.Value)}")) + "}",
        JsonArray a => "[]interface {}{" + string.Join(", ", a.Select(GoInterface)) + "}",
        _ => value.ToJsonString(),
    };

    /// <summary>A value inside a %#v composite: strings quoted, numbers as Go's int64/float64 print them.</summary>
    private static string GoInterface(JsonNode? value) => value switch
    {
        null => "interface {}(nil)",
        JsonValue v when v.TryGetValue<long>(out var l) => $"{l}",
        _ => GoValue(value),
    };

    /// <summary>strconv.Quote, for the characters a manifest holds.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }

    private static string TypeText(string type) => type switch
    {
        Required => "Required value",
        Forbidden => "Forbidden",
        Invalid or TypeInvalid => "Invalid value",
        Duplicate => "Duplicate value",
        NotSupported => "Unsupported value",
        TooLong => "Too long",
        TooMany => "Too many",
        Internal => "Internal error",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a field.ErrorType"),
    };
}
