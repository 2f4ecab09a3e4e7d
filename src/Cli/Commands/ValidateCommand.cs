using System.CommandLine;
using System.Text.Json.Nodes;
using Arkonis.Cli.Manifests;
using Arkonis.Cli.Output;
using Arkonis.Model.Defaulting;
using Arkonis.Model.Validation;

namespace Arkonis.Cli.Commands;

/// <summary>
/// <c>arkevent validate FILE...</c>: admission offline. Each ArkEvent is defaulted (the mutating webhook) and validated
/// (the validating webhook's model rules), and its problems are printed exactly as kubectl prints the webhook's
/// answer (<c>The ArkEvent "x" is invalid: ...</c>); <c>-o json</c> also carries the webhook's own status message
/// (<see cref="KubernetesCauses.InvalidMessage"/>). Exit 1 when any file is invalid or unreadable. Not checked
/// offline: loops through other ArkEvents in the cluster (the webhook asks the API server for those).
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(GlobalOptions global, CliConsole console)
    {
        var files = new Argument<string[]>("FILE") { Description = "Manifest files (several YAML documents each; other kinds are skipped)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("validate", "Validate ArkEvent manifests offline, with the admission webhook's rules and messages (for CI)") { files };
        command.SetAction(CliApp.Action(global, console, (parse, printer, _) =>
        {
            var validator = new ArkEventValidator(console.Time);
            var reports = parse.GetValue(files)!.Select(f => Check(f, validator)).ToList();
            var failed = reports.Count(r => !r.Valid);
            if (printer.IsJson)
            {
                printer.Json(new JsonObject { ["valid"] = failed == 0, ["files"] = new JsonArray([.. reports.Select(r => r.Json)]) });
            }
            else
            {
                foreach (var line in reports.SelectMany(r => r.Lines))
                {
                    printer.Line(line);
                }

                var events = reports.Sum(r => r.Events);
                printer.Console.Error.WriteLine(failed == 0
                    ? $"{events} ArkEvent(s) in {reports.Count} file(s): valid"
                    : $"{failed} of {reports.Count} file(s) invalid");
            }

            return Task.FromResult(failed == 0 ? ExitCodes.Ok : ExitCodes.Failed);
        }));
        return command;
    }

    private sealed record FileReport(bool Valid, int Events, IReadOnlyList<string> Lines, JsonObject Json);

    private static FileReport Check(string file, ArkEventValidator validator)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FileReport(false, 0, [$"{file}: cannot read: {e.Message}"], new JsonObject { ["file"] = file, ["valid"] = false, ["error"] = e.Message });
        }

        var lines = new List<string>();
        var documents = new JsonArray();
        var valid = true;
        var events = 0;
        foreach (var document in ManifestReader.Read(text))
        {
            var where = document.Index == 0 ? file : $"{file} (document {document.Index + 1})";
            if (document.Error is { } error)
            {
                valid = false;
                lines.Add($"{where}: {error}");
                documents.Add(new JsonObject { ["index"] = document.Index, ["valid"] = false, ["error"] = error });
                continue;
            }

            if (document.Event is not { } ev)
            {
                documents.Add(new JsonObject { ["index"] = document.Index, ["skipped"] = document.OtherKind });
                continue;
            }

            events++;

            // The API server calls the mutating webhook first: validation sees the defaulted object.
            ArkEventDefaulter.Apply(ev);
            if (TryCheck(validator, ev) is not { } causes)
            {
                valid = false;
                var failure = $"the validator failed on ArkEvent {Qualified(ev.Namespace, ev.Name)}; the admission webhook would answer 500 (a bug in ArkEvent: please report it)";
                lines.Add($"{where}: {failure}");
                documents.Add(new JsonObject { ["index"] = document.Index, ["name"] = ev.Name, ["valid"] = false, ["error"] = failure });
                continue;
            }

            lines.AddRange(causes.Warnings.Select(w => "Warning: " + w));
            if (causes.IsValid)
            {
                lines.Add($"{where}: ArkEvent {Qualified(ev.Namespace, ev.Name)} is valid");
            }
            else
            {
                valid = false;
                lines.Add($"{where}:");
                lines.AddRange(KubectlLines(ev.Name, causes.Problems));
            }

            documents.Add(new JsonObject
            {
                ["index"] = document.Index,
                ["name"] = ev.Name,
                ["namespace"] = ev.Namespace.Length > 0 ? ev.Namespace : null,
                ["valid"] = causes.IsValid,
                ["message"] = causes.IsValid ? null : KubernetesCauses.InvalidMessage(ev.Name, causes.Problems),
                ["causes"] = new JsonArray([.. causes.Problems.Select(p => (JsonNode)new JsonObject { ["field"] = p.Field, ["reason"] = p.Reason, ["message"] = p.Message })]),
                ["warnings"] = new JsonArray([.. causes.Warnings.Select(w => (JsonNode)JsonValue.Create(w))]),
            });
        }

        return new FileReport(valid, events, lines, new JsonObject { ["file"] = file, ["valid"] = valid, ["documents"] = documents });
    }

    /// <summary>
    /// The model's verdict, or null when the validator itself throws: it must not, but Cronos' <c>H</c> fields make it
    /// (a known model bug). For CI the document is then not admissible, and the other files are still checked.
    /// </summary>
    private static KubernetesCauses? TryCheck(ArkEventValidator validator, Model.Resources.ArkEvent ev)
    {
        try
        {
            return validator.Check(ev);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or StackOverflowException))
        {
            return null;
        }
    }

    /// <summary>
    /// What kubectl prints for the webhook's 422 (its checkErr for an Invalid status lists the causes, distinct, in
    /// order): the same text as the <c># expect:</c> lines of deploy/examples/invalid.
    /// </summary>
    internal static IReadOnlyList<string> KubectlLines(string name, IReadOnlyList<FieldProblem> problems)
    {
        var head = $"The ArkEvent \"{name}\" is invalid";
        var causes = problems.Select(p => p.ToString()).Distinct(StringComparer.Ordinal).ToList();
        return causes.Count switch
        {
            0 => [head],
            1 => [head + ": " + causes[0]],
            _ => [head + ":", .. causes.Select(c => "* " + c)],
        };
    }

    private static string Qualified(string ns, string name) => ns.Length > 0 ? $"{ns}/{name}" : name;
}
