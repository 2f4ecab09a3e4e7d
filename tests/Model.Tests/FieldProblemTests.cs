using Arkonis.Model.Validation;
using FluentValidation;

namespace Arkonis.Model.Tests;

public sealed class FieldProblemTests
{
    public sealed class Probe
    {
        public object? Value { get; init; }
    }

    public static TheoryData<string, object?, Func<IRuleBuilderOptions<Probe, object?>, IRuleBuilderOptions<Probe, object?>>, string, string> Shapes => new()
    {
        { "spec.source", null, r => r.Required(), "FieldValueRequired", "spec.source: Required value" },
        { "spec.source.cron", "61 * * * *", r => r.Invalid("bad minute"), "FieldValueInvalid", "spec.source.cron: Invalid value: \"61 * * * *\": bad minute" },
        { "spec.x", -1L, r => r.Invalid("must be greater than or equal to 0"), "FieldValueInvalid", "spec.x: Invalid value: -1: must be greater than or equal to 0" },
        { "spec.x", "a\"b\\c\nd\u0001", r => r.Invalid("odd"), "FieldValueInvalid", "spec.x: Invalid value: \"a\\\"b\\\\c\\nd\\x01\": odd" },
        { "spec.t", "x", r => r.NotSupported(["a", "b"]), "FieldValueNotSupported", "spec.t: Unsupported value: \"x\": supported values: \"a\", \"b\"" },
        { "spec.targets[1].pipeline", "p", r => r.Duplicate(), "FieldValueDuplicate", "spec.targets[1].pipeline: Duplicate value: \"p\"" },
        { "spec.source.cron", "x", r => r.Forbidden("may only be set when type is \"cron\""), "FieldValueForbidden", "spec.source.cron: Forbidden: may only be set when type is \"cron\"" },
        { "spec.targets", 51, r => r.TooMany(v => (int)v!, 50), "FieldValueTooMany", "spec.targets: Too many: 51: must have at most 50 items" },
        { "spec.source.cron", "x", r => r.TooLong(256), "FieldValueTooLong", "spec.source.cron: Too long: may not be more than 256 bytes" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Words_problems_as_kubernetes_does(
        string field, object? value, Func<IRuleBuilderOptions<Probe, object?>, IRuleBuilderOptions<Probe, object?>> wording, string reason, string text)
    {
        var validator = new InlineValidator<Probe>();
        wording(validator.RuleFor(p => p.Value).Must(_ => false)).OverridePropertyName(field);

        var failure = Assert.Single(validator.Validate(new Probe { Value = value }).Errors);
        var problem = Assert.Single(KubernetesCauses.From(new FluentValidation.Results.ValidationResult([failure])).Problems);

        Assert.Equal(reason, failure.ErrorCode);
        Assert.Equal(reason, problem.Reason);
        Assert.Equal(text, problem.ToString());
        Assert.Equal(text, problem.Field + ": " + problem.Message);
    }

    [Fact]
    public void Aggregates_like_NewInvalid()
    {
        var source = new FieldProblem("spec.source", FieldReasons.Required, "Required value");
        var targets = new FieldProblem("spec.targets", FieldReasons.TooMany, "Too many: 51: must have at most 50 items");

        Assert.Equal("ArkEvent.arkonis.dev \"x\" is invalid: spec.source: Required value", KubernetesCauses.InvalidMessage("x", [source]));
        Assert.Equal("ArkEvent.arkonis.dev \"x\" is invalid: [spec.source: Required value, spec.targets: Too many: 51: must have at most 50 items]",
            KubernetesCauses.InvalidMessage("x", [source, targets, source]));
    }

    [Fact]
    public void With_no_problems_the_message_has_no_list()
    {
        // apimachinery's NewInvalid appends ": <aggregate>" only when there are errors.
        Assert.Equal("ArkEvent.arkonis.dev \"x\" is invalid", KubernetesCauses.InvalidMessage("x", []));
    }
}
