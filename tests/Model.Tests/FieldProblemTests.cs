using Arkonis.Model.Validation;

namespace Arkonis.Model.Tests;

public sealed class FieldProblemTests
{
    public static TheoryData<FieldProblem, ProblemKind, string, string> Shapes => new()
    {
        { FieldProblem.Required("spec.source"), ProblemKind.Required, "FieldValueRequired", "spec.source: Required value" },
        { FieldProblem.Invalid("spec.source.cron", "61 * * * *", "bad minute"), ProblemKind.Invalid, "FieldValueInvalid", "spec.source.cron: Invalid value: \"61 * * * *\": bad minute" },
        { FieldProblem.Invalid("spec.x", -1L, "must be greater than or equal to 0"), ProblemKind.Invalid, "FieldValueInvalid", "spec.x: Invalid value: -1: must be greater than or equal to 0" },
        { FieldProblem.Invalid("spec.x", "a\"b\\c\nd\u0001", "odd"), ProblemKind.Invalid, "FieldValueInvalid", "spec.x: Invalid value: \"a\\\"b\\\\c\\nd\\x01\": odd" },
        { FieldProblem.NotSupported("spec.t", "x", ["a", "b"]), ProblemKind.NotSupported, "FieldValueNotSupported", "spec.t: Unsupported value: \"x\": supported values: \"a\", \"b\"" },
        { FieldProblem.Duplicate("spec.targets[1].pipeline", "p"), ProblemKind.Duplicate, "FieldValueDuplicate", "spec.targets[1].pipeline: Duplicate value: \"p\"" },
        { FieldProblem.Forbidden("spec.source.cron", "may only be set when type is \"cron\""), ProblemKind.Forbidden, "FieldValueForbidden", "spec.source.cron: Forbidden: may only be set when type is \"cron\"" },
        { FieldProblem.TooMany("spec.targets", 51, 50), ProblemKind.TooMany, "FieldValueTooMany", "spec.targets: Too many: 51: must have at most 50 items" },
        { FieldProblem.TooLong("spec.source.cron", 256), ProblemKind.TooLong, "FieldValueTooLong", "spec.source.cron: Too long: may not be more than 256 bytes" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Words_problems_as_kubernetes_does(FieldProblem problem, ProblemKind kind, string reason, string text)
    {
        Assert.Equal(kind, problem.Kind);
        Assert.Equal(reason, problem.Reason);
        Assert.Equal(text, problem.ToString());
        Assert.Equal(text, problem.Field + ": " + problem.Message);
    }

    [Fact]
    public void Aggregates_like_NewInvalid()
    {
        var one = new ValidationResult([FieldProblem.Required("spec.source")], []);
        var two = new ValidationResult([FieldProblem.Required("spec.source"), FieldProblem.TooMany("spec.targets", 51, 50), FieldProblem.Required("spec.source")], []);

        Assert.Equal("ArkEvent.arkonis.dev \"x\" is invalid: spec.source: Required value", one.ToInvalidMessage("x"));
        Assert.Equal("ArkEvent.arkonis.dev \"x\" is invalid: [spec.source: Required value, spec.targets: Too many: 51: must have at most 50 items]", two.ToInvalidMessage("x"));
    }

    [Fact]
    public void With_no_problems_the_message_has_no_list()
    {
        // apimachinery's NewInvalid appends ": <aggregate>" only when there are errors.
        Assert.Equal("ArkEvent.arkonis.dev \"x\" is invalid", new ValidationResult([], []).ToInvalidMessage("x"));
    }
}
