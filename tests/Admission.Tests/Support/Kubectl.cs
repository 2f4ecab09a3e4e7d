using System.Text;
using System.Text.Json.Nodes;

namespace Arkonis.Admission.Tests.Support;

/// <summary>
/// What <c>kubectl apply</c>/<c>create</c> prints for a webhook answer: kube-apiserver's ToStatusErr, then
/// client-go's Status decoding, then kubectl's AddSourceToErr and checkErr (reference/admission.md §3.1).
/// </summary>
public static class Kubectl
{
    public const string ValidatingWebhookName = "varkevent.arkonis.dev";

    public static string Render(JsonNode response, string file, string verb = "creating", string webhookName = ValidatingWebhookName)
    {
        var text = new StringBuilder();
        foreach (var warning in response["warnings"]?.AsArray() ?? [])
        {
            text.Append("Warning: ").Append(warning!.GetValue<string>()).Append('\n');
        }

        if (response["allowed"]!.GetValue<bool>())
        {
            return text.ToString();
        }

        var status = response["status"];
        var reason = status?["reason"]?.GetValue<string>() ?? string.Empty;
        var details = status?["details"];
        if (reason == "Invalid" && details is not null)
        {
            // checkErr: IsInvalid ignores the message and lists the causes.
            var kind = details["kind"]?.GetValue<string>() ?? string.Empty;
            var name = details["name"]?.GetValue<string>() ?? string.Empty;
            var prefix = $"The {kind} \"{name}\" is invalid";
            var causes = (details["causes"]?.AsArray() ?? [])
                .Select(c => $"{c!["field"]?.GetValue<string>()}: {c["message"]?.GetValue<string>()}")
                .Distinct(StringComparer.Ordinal)
                .ToList();
            switch (causes.Count)
            {
                case 0:
                    return text.Append(prefix).Append('\n').ToString();
                case 1:
                    return text.Append(prefix).Append(": ").Append(causes[0]).Append('\n').ToString();
                default:
                    text.Append(prefix).Append(": \n");
                    foreach (var cause in causes)
                    {
                        text.Append("* ").Append(cause).Append('\n');
                    }

                    return text.ToString();
            }
        }

        var message = status?["message"]?.GetValue<string>() is { Length: > 0 } m ? m : reason;
        var denied = string.IsNullOrEmpty(message)
            ? $"admission webhook \"{webhookName}\" denied the request without explanation"
            : $"admission webhook \"{webhookName}\" denied the request: {message}";
        var server = string.IsNullOrEmpty(reason) ? "Error from server: " : $"Error from server ({reason}): ";
        return text.Append(server).Append($"error when {verb} \"{file}\": ").Append(denied).Append('\n').ToString();
    }
}
