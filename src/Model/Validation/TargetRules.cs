using Arkonis.Model.Resources;

namespace Arkonis.Model.Validation;

/// <summary>
/// <c>spec.targets</c>: 1..50, unique by pipeline, each pipeline a DNS-1123 label (it becomes the
/// <c>arkonis.dev/pipeline</c> label value), never the event's own source flow, and input templates that parse.
/// </summary>
internal static class TargetRules
{
    private const string Path = "spec.targets";

    public static void Check(ArkEventSpec spec, string? type, ProblemList list)
    {
        var targets = spec.Targets;
        if (targets is null || targets.Count == 0)
        {
            list.Add(FieldProblem.Required(Path, "at least one target pipeline is required"));
            return;
        }

        if (targets.Count > ArkEventValidator.MaxTargets)
        {
            list.Add(FieldProblem.TooMany(Path, targets.Count, ArkEventValidator.MaxTargets));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < targets.Count; i++)
        {
            var path = $"{Path}[{i}]";
            if (targets[i] is not { } target)
            {
                list.Add(FieldProblem.Required(path));
                continue;
            }

            CheckPipeline(target.Pipeline, path + ".pipeline", spec.Source, type, seen, list);
            InputRules.Check(target.Input, path + ".input", type, list);
        }
    }

    private static void CheckPipeline(string? pipeline, string path, EventSource? source, string? type, HashSet<string> seen, ProblemList list)
    {
        if (string.IsNullOrEmpty(pipeline))
        {
            list.Add(FieldProblem.Required(path));
            return;
        }

        foreach (var error in Names.CheckLabel(pipeline))
        {
            list.Add(FieldProblem.Invalid(path, pipeline, error));
        }

        if (!seen.Add(pipeline))
        {
            list.Add(FieldProblem.Duplicate(path, pipeline));
        }

        if (type == SourceTypes.FlowOutput && pipeline == source?.Flow)
        {
            list.Add(FieldProblem.Forbidden(path,
                $"targets the event's own source flow \"{pipeline}\": every run would fire the event again (endless loop)"));
        }
    }
}
