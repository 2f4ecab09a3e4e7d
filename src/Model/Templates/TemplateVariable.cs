namespace Arkonis.Model.Templates;

/// <summary>The roots a template may read.</summary>
public enum TriggerField
{
    /// <summary><c>.trigger.name</c>.</summary>
    Name,

    /// <summary><c>.trigger.namespace</c>.</summary>
    Namespace,

    /// <summary><c>.trigger.firedAt</c> (RFC 3339, UTC).</summary>
    FiredAt,

    /// <summary><c>.trigger.body[.path]</c>, webhook only.</summary>
    Body,

    /// <summary><c>.trigger.output[.path]</c>, flow-output only.</summary>
    Output,
}

/// <summary>One variable a template reads, e.g. <c>.trigger.body.user.id</c> is (Body, ["user", "id"]).</summary>
/// <param name="Field">The root.</param>
/// <param name="Path">Keys (or array indexes) below Body or Output; empty for the whole value.</param>
/// <param name="Text">The variable as written, e.g. <c>.trigger.body.user.id</c>.</param>
public sealed record TemplateVariable(TriggerField Field, IReadOnlyList<string> Path, string Text);
