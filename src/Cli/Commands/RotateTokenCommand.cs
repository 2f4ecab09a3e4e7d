using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Arkonis.Cli.Connections;
using Arkonis.Model.Resources;

namespace Arkonis.Cli.Commands;

/// <summary>
/// <c>arkevent rotate-token NAME</c>: sets the <c>arkonis.dev/rotate-token</c> annotation to a new value (the current
/// UTC time); the dispatcher's reconciler then issues a new token and keeps the old one valid for its grace period
/// (<c>Dispatcher:Kubernetes:TokenRotationGrace</c>, 10 minutes by default).
/// </summary>
internal static class RotateTokenCommand
{
    public static Command Create(GlobalOptions global, CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The webhook ArkEvent" };
        var command = new Command("rotate-token", "Start a token rotation: a new token now, the old one accepted for the grace period") { name };
        command.SetAction(CliApp.Action(global, console, async (parse, printer, ct) =>
        {
            var connection = global.Connect(parse);
            var ns = global.NamespaceFor(parse, connection);
            var trigger = parse.GetValue(name)!;
            var ev = await connection.GetEventAsync(ns, trigger, ct);
            if (ev.Spec?.Source?.Type is { } type && type != SourceTypes.Webhook)
            {
                throw new CliException($"{ns}/{trigger} is a {type} event: only webhook events have a token", code: "not-a-webhook-trigger");
            }

            var value = console.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            await connection.RequestRotationAsync(ns, trigger, value, ct);
            var secret = WebhookTokenSecret.NameFor(trigger);
            if (printer.IsJson)
            {
                printer.Json(new JsonObject
                {
                    ["trigger"] = $"{ns}/{trigger}",
                    ["annotation"] = ClusterNames.RotateTokenAnnotation,
                    ["value"] = value,
                    ["secret"] = secret,
                });
            }
            else
            {
                printer.Line($"rotation requested for {ns}/{trigger} ({ClusterNames.RotateTokenAnnotation}={value})");
                printer.Line($"the dispatcher writes a new '{WebhookTokenSecret.TokenKey}' to Secret {secret} within seconds; the old one stays valid as "
                    + $"'{WebhookTokenSecret.PreviousTokenKey}' until '{WebhookTokenSecret.PreviousTokenExpiresAtKey}' (the grace period, {ClusterNames.DefaultRotationGrace.TotalMinutes:0} minutes by default)");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
