using System.CommandLine;
using System.Text.Json.Nodes;
using Arkonis.Cli.Manifests;
using Arkonis.Cli.Output;
using Arkonis.Crd;
using Arkonis.Model.Defaulting;
using Arkonis.Model.Json;
using Arkonis.Model.Resources;
using Arkonis.Model.Validation;
using k8s;

namespace Arkonis.Cli.Commands;

/// <summary>
/// <c>arkevent validate FILE...</c>: admission offline, in kube-apiserver's order. Each ArkEvent is decoded with the
/// CRD's schema defaults and pruning, defaulted (the mutating webhook's patch), checked against the CRD's OpenAPI
/// schema and CEL rules (<see cref="CrdChecker"/>, which may refuse it before any webhook) and only then validated
/// (the validating webhook's model rules). Its problems are printed exactly as kubectl prints the refusing stage's
/// answer (<c>The ArkEvent "x" is invalid: ...</c>); <c>-o json</c> also carries the API server's status message.
/// Exit 1 when any file is invalid or unreadable. Not checked offline: loops through other ArkEvents in the cluster
/// (the webhook asks the API server for those).
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(GlobalOptions global, CliConsole console)
    {
        var files = new Argument<string[]>("FILE") { Description = "Manifest files (several YAML documents each; other kinds are skipped)", Arity = ArgumentArity.OneOrMore };
        var crd = new Option<string>("--crd")
        {
            Description = "The ArkEvent CRD to check against (a file or a directory of them); default: deploy/crd/ of the repository around the current directory, else the copy built into arkevent",
            HelpName = "PATH",
        };
        var command = new Command("validate", "Validate ArkEvent manifests offline, with the CRD schema's and the admission webhooks' rules and messages (for CI)") { files, crd };
        command.SetAction(CliApp.Action(global, console, (parse, printer, _) =>
        {
            var checker = CrdSource.Load(parse.GetValue(crd), Directory.GetCurrentDirectory());
            var validator = new ArkEventValidator(console.Time);
            var reports = parse.GetValue(files)!.Select(f => Check(f, checker, validator)).ToList();
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

    private static FileReport Check(string file, CrdChecker crd, ArkEventValidator validator)
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

            // kube-apiserver's order: decode (schema defaults, pruning), the mutating webhook, decode again, the
            // CRD's schema and CEL rules (BeforeCreate), and only then the validating webhook.
            var decoded = crd.Decode(document.Object!);
            // A document the model cannot read is not defaulted (the webhook allows it with a warning); the schema says why.
            var typed = Typed(decoded);
            var schema = crd.Create(typed is null ? decoded : Mutate(decoded, typed));
            KubernetesCauses? causes;
            string? message = null;
            if (!schema.Allowed)
            {
                // Refused before any webhook: kubectl prints the registry's Status (causes in the API server's order).
                causes = new KubernetesCauses([.. schema.Errors.Select(e => new FieldProblem(e.Field, e.Type, e.Body()))], []);
                message = (string?)crd.InvalidStatus(ev.Name, schema.Errors)["message"];
            }
            else if (TryCheck(validator, typed ?? Defaulted(ev)) is { } checkedCauses)
            {
                causes = checkedCauses;
            }
            else
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
                ["message"] = causes.IsValid ? null : message ?? KubernetesCauses.InvalidMessage(ev.Name, causes.Problems),
                ["causes"] = new JsonArray([.. causes.Problems.Select(p => (JsonNode)new JsonObject { ["field"] = p.Field, ["reason"] = p.Reason, ["message"] = p.Message })]),
                ["warnings"] = new JsonArray([.. causes.Warnings.Select(w => (JsonNode)JsonValue.Create(w))]),
            });
        }

        return new FileReport(valid, events, lines, new JsonObject { ["file"] = file, ["valid"] = valid, ["documents"] = documents });
    }

    /// <summary>The decoded object as the webhooks read it, or null when the model cannot (the schema then says why).</summary>
    private static ArkEvent? Typed(JsonObject decoded)
    {
        try
        {
            var ev = KubernetesJson.Deserialize<ArkEvent>(decoded.ToJsonString());
            ev.Metadata ??= new k8s.Models.V1ObjectMeta();
            ev.Spec ??= new ArkEventSpec();
            return ev;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static ArkEvent Defaulted(ArkEvent ev)
    {
        ArkEventDefaulter.Apply(ev);
        return ev;
    }

    /// <summary>
    /// The mutating webhook: the model's defaulter on the typed copy, and the object patched with the difference, less
    /// what the typed round trip changes on its own (the same patch the webhook answers). <paramref name="ev"/> ends defaulted.
    /// </summary>
    private static JsonObject Mutate(JsonObject decoded, ArkEvent ev)
    {
        var roundTrip = JsonNode.Parse(KubernetesJson.Serialize(ev));
        if (!ArkEventDefaulter.Apply(ev))
        {
            return decoded;
        }

        var noise = JsonPatchDiff.Diff(decoded, roundTrip);
        var operations = JsonPatchDiff.Diff(decoded, JsonNode.Parse(KubernetesJson.Serialize(ev)))
            .Where(op => !noise.Any(n => n.Op == op.Op && n.Path == op.Path && JsonNode.DeepEquals(n.Value, op.Value)));
        return JsonPatch.Apply(decoded, operations);
    }

    /// <summary>
    /// The model's verdict, or null when the validator itself throws: it must not, but Cronos' <c>H</c> fields make it
    /// (a known model bug). For CI the document is then not admissible, and the other files are still checked.
    /// </summary>
    private static KubernetesCauses? TryCheck(ArkEventValidator validator, ArkEvent ev)
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
