using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Arkonis.Admission.Tests.Support;

/// <summary>Builds AdmissionReview requests the way kube-apiserver does (field order and shape of fixture 05).</summary>
public static class ApiServer
{
    public static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "fixtures", "admission-captures");

    public static JsonObject Review(
        string operation, JsonNode? obj, JsonNode? oldObject = null, bool dryRun = false, string? uid = null, string ns = "ai-team")
    {
        var name = (obj ?? oldObject) is JsonObject o && o["metadata"] is JsonObject meta && meta["name"] is JsonValue value && value.TryGetValue<string>(out var n) ? n : string.Empty;
        var gvk = new JsonObject { ["group"] = "arkonis.dev", ["version"] = "v1alpha1", ["kind"] = "ArkEvent" };
        var gvr = new JsonObject { ["group"] = "arkonis.dev", ["version"] = "v1alpha1", ["resource"] = "arkevents" };
        var optionsKind = operation switch { "CREATE" => "CreateOptions", "UPDATE" => "UpdateOptions", _ => "DeleteOptions" };
        var options = new JsonObject { ["kind"] = optionsKind, ["apiVersion"] = "meta.k8s.io/v1" };
        if (operation == "DELETE")
        {
            options["propagationPolicy"] = "Background";
        }
        else
        {
            options["fieldManager"] = "kubectl-client-side-apply";
        }

        if (dryRun)
        {
            options["dryRun"] = new JsonArray("All");
        }

        return new JsonObject
        {
            ["kind"] = "AdmissionReview",
            ["apiVersion"] = "admission.k8s.io/v1",
            ["request"] = new JsonObject
            {
                ["uid"] = uid ?? Guid.NewGuid().ToString(),
                ["kind"] = gvk,
                ["resource"] = gvr,
                ["requestKind"] = gvk.DeepClone(),
                ["requestResource"] = gvr.DeepClone(),
                ["name"] = name,
                ["namespace"] = ns,
                ["operation"] = operation,
                ["userInfo"] = new JsonObject
                {
                    ["username"] = "kubernetes-admin",
                    ["groups"] = new JsonArray("system:masters", "system:authenticated"),
                },
                ["object"] = obj?.DeepClone(),
                ["oldObject"] = oldObject?.DeepClone(),
                ["dryRun"] = dryRun,
                ["options"] = options,
            },
        };
    }

    /// <summary>Adds what the apiserver stamps on a stored object (uid, timestamps, managedFields) to a manifest.</summary>
    public static JsonObject AsStored(JsonNode manifest, string ns = "ai-team", int generation = 1)
    {
        var obj = manifest.DeepClone().AsObject();
        var metadata = obj["metadata"]!.AsObject();
        metadata["namespace"] = ns;
        metadata["uid"] = "eae00ed2-72d2-4ab4-9012-51ba11a284d0";
        metadata["creationTimestamp"] = "2026-11-28T08:00:00Z";
        metadata["generation"] = generation;
        metadata["managedFields"] = new JsonArray(new JsonObject
        {
            ["manager"] = "kubectl-client-side-apply",
            ["operation"] = "Update",
            ["apiVersion"] = "arkonis.dev/v1alpha1",
            ["time"] = "2026-11-28T08:00:00Z",
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = new JsonObject { ["f:spec"] = new JsonObject { ["."] = new JsonObject() } },
        });
        return obj;
    }

    public static StringContent Json(JsonNode review) => Json(review.ToJsonString());

    public static StringContent Json(string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public static JsonObject Fixture(string fileName) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, fileName)))!.AsObject();
}
