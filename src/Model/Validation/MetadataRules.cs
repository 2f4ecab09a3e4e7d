using Arkonis.Model.Resources;

namespace Arkonis.Model.Validation;

/// <summary>
/// The name must be a DNS-1123 label: it becomes the <c>arkonis.dev/event</c> label value (at most 63) and the prefix
/// of the <c>{name}-webhook-token</c> Secret. <c>generateName</c> may stand in for it (the apiserver adds 5 characters).
/// </summary>
internal static class MetadataRules
{
    public static void Check(ArkEvent arkEvent, ProblemList list)
    {
        var meta = arkEvent.Metadata;
        var name = meta?.Name;
        var generateName = meta?.GenerateName;

        if (!string.IsNullOrEmpty(name))
        {
            foreach (var error in Names.CheckLabel(name))
            {
                list.Add(FieldProblem.Invalid("metadata.name", name, error));
            }

            return;
        }

        if (string.IsNullOrEmpty(generateName))
        {
            list.Add(FieldProblem.Required("metadata.name", "name or generateName is required"));
            return;
        }

        // The generated name is the prefix plus 5 alphanumerics, so the prefix may end with '-'.
        var sample = generateName + "x";
        if (generateName.Length > Names.LabelMaxLength - Names.GeneratedSuffixLength)
        {
            list.Add(FieldProblem.Invalid("metadata.generateName", generateName,
                $"must be no more than {Names.LabelMaxLength - Names.GeneratedSuffixLength} characters"));
        }
        else if (!Names.IsLabel(sample))
        {
            list.Add(FieldProblem.Invalid("metadata.generateName", generateName, Names.CheckLabel(sample)[0]));
        }
    }
}
