using FluentValidation;
using k8s.Models;

namespace Arkonis.Model.Validation;

/// <summary>
/// <c>metadata</c>: the name must be a DNS-1123 label, because it becomes the <c>arkonis.dev/event</c> label value (at
/// most 63) and the prefix of the <c>{name}-webhook-token</c> Secret. <c>generateName</c> may stand in for it (the
/// apiserver appends 5 characters).
/// </summary>
internal sealed class MetadataValidator : AbstractValidator<V1ObjectMeta>
{
    private const int GenerateNameMaxLength = Names.LabelMaxLength - Names.GeneratedSuffixLength;

    public MetadataValidator()
    {
        RuleFor(static m => m.Name)
            .Dns1123Label()
            .OverridePropertyName("name")
            .When(static m => !string.IsNullOrEmpty(m.Name));

        RuleFor(static m => m.Name)
            .Must(static (m, _) => !string.IsNullOrEmpty(m.GenerateName)).Required("name or generateName is required")
            .OverridePropertyName("name")
            .When(static m => string.IsNullOrEmpty(m.Name));

        // The generated name is the prefix plus 5 alphanumerics, so the prefix may end with '-'.
        RuleFor(static m => m.GenerateName)
            .Cascade(CascadeMode.Stop)
            .Must(static prefix => prefix!.Length <= GenerateNameMaxLength).Invalid(Names.NoMoreThan(GenerateNameMaxLength))
            .Must(static prefix => Names.HasLabelSyntax(prefix + "x")).Invalid(Names.LabelSyntaxMessage)
            .OverridePropertyName("generateName")
            .When(static m => string.IsNullOrEmpty(m.Name) && !string.IsNullOrEmpty(m.GenerateName));
    }
}
