namespace Arkonis.Model.Validation;

/// <summary>The kind of a field problem, as Kubernetes' <c>field.ErrorType</c> names it.</summary>
public enum ProblemKind
{
    /// <summary>A required value is missing (<c>Required value</c>).</summary>
    Required,

    /// <summary>The value is malformed (<c>Invalid value</c>).</summary>
    Invalid,

    /// <summary>The value is not one of the supported values (<c>Unsupported value</c>).</summary>
    NotSupported,

    /// <summary>The value appears more than once where it must be unique (<c>Duplicate value</c>).</summary>
    Duplicate,

    /// <summary>The field may not be set here (<c>Forbidden</c>).</summary>
    Forbidden,

    /// <summary>A list has too many items (<c>Too many</c>).</summary>
    TooMany,

    /// <summary>A value is too long (<c>Too long</c>).</summary>
    TooLong,
}
