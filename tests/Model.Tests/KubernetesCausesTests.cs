using Arkonis.Model.Validation;
using FluentValidation;
using FluentValidation.Results;

namespace Arkonis.Model.Tests;

/// <summary>The one mapping from a FluentValidation result to Kubernetes causes and warnings.</summary>
public sealed class KubernetesCausesTests
{
    [Fact]
    public void Errors_become_causes_and_warnings_stay_apart()
    {
        var result = new ValidationResult(
        [
            new ValidationFailure("spec.source.cron", "ignored") { ErrorCode = FieldReasons.Required, CustomState = "Required value" },
            new ValidationFailure("spec.suspend", "ignored") { ErrorCode = "Warning", CustomState = "created suspended", Severity = Severity.Warning },
            new ValidationFailure("spec.targets[1].pipeline", "ignored") { ErrorCode = FieldReasons.Duplicate, CustomState = "Duplicate value: \"a\"" },
        ]);

        var causes = KubernetesCauses.From(result);

        Assert.Equal(
            [new FieldProblem("spec.source.cron", "FieldValueRequired", "Required value"), new FieldProblem("spec.targets[1].pipeline", "FieldValueDuplicate", "Duplicate value: \"a\"")],
            causes.Problems);
        Assert.Equal(["spec.suspend: created suspended"], causes.Warnings);
        Assert.False(causes.IsValid);
    }

    [Fact]
    public void Only_warnings_is_valid()
    {
        var causes = KubernetesCauses.From(new ValidationResult([new ValidationFailure("spec.suspend", "w") { Severity = Severity.Warning }]));

        Assert.True(causes.IsValid);
        Assert.Equal(["spec.suspend: w"], causes.Warnings);
    }

    [Fact]
    public void A_failure_without_state_keeps_its_message()
    {
        var causes = KubernetesCauses.From(new ValidationResult([new ValidationFailure("metadata.name", "Invalid value: \"x\"") { ErrorCode = FieldReasons.Invalid }]));

        Assert.Equal("metadata.name: Invalid value: \"x\"", Assert.Single(causes.Problems).ToString());
    }

    [Fact]
    public void The_text_comes_from_the_state_because_the_message_went_through_the_placeholder_formatter()
    {
        var ev = Samples.Webhook().With(e => e.Metadata.Name = "{PropertyName}");

        var failure = Assert.Single(Samples.Validator.Validate(ev).Errors, f => f.PropertyName == "metadata.name");
        var problem = Assert.Single(KubernetesCauses.From(new ValidationResult([failure])).Problems);

        Assert.StartsWith("Invalid value: \"{PropertyName}\": ", (string)failure.CustomState, StringComparison.Ordinal);
        Assert.DoesNotContain("{PropertyName}", failure.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(failure.CustomState, problem.Message);
        Assert.Equal(FieldReasons.Invalid, problem.Reason);
    }

    [Fact]
    public void The_validator_reports_warnings_with_FluentValidation_severity()
    {
        var result = Samples.Validator.Validate(Samples.Webhook().With(e => e.Spec.Suspend = true));

        var warning = Assert.Single(result.Errors);
        Assert.Equal((Severity.Warning, "spec.suspend"), (warning.Severity, warning.PropertyName));

        // FluentValidation's IsValid counts warnings too; whether the object is admitted is the mapping's IsValid.
        Assert.False(result.IsValid);
        Assert.True(KubernetesCauses.From(result).IsValid);
    }
}
