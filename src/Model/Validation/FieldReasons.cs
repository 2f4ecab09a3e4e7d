namespace Arkonis.Model.Validation;

/// <summary>
/// The cause types of apimachinery's <c>field.ErrorType</c> that ArkEvent validation reports. A rule's reason travels as
/// the FluentValidation <c>ErrorCode</c> of its failure.
/// </summary>
public static class FieldReasons
{
    /// <summary>A required value is missing (<c>Required value</c>).</summary>
    public const string Required = "FieldValueRequired";

    /// <summary>The value is malformed (<c>Invalid value</c>).</summary>
    public const string Invalid = "FieldValueInvalid";

    /// <summary>The value is not one of the supported values (<c>Unsupported value</c>).</summary>
    public const string NotSupported = "FieldValueNotSupported";

    /// <summary>The value appears more than once where it must be unique (<c>Duplicate value</c>).</summary>
    public const string Duplicate = "FieldValueDuplicate";

    /// <summary>The field may not be set here (<c>Forbidden</c>).</summary>
    public const string Forbidden = "FieldValueForbidden";

    /// <summary>A list has too many items (<c>Too many</c>).</summary>
    public const string TooMany = "FieldValueTooMany";

    /// <summary>A value is too long (<c>Too long</c>).</summary>
    public const string TooLong = "FieldValueTooLong";
}
