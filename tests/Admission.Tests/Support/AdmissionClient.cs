using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Admission.Reviews;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

namespace Arkonis.Admission.Tests.Support;

/// <summary>Posts reviews and checks the envelope rules kube-apiserver's VerifyAdmissionResponse enforces on every answer.</summary>
public sealed class AdmissionClient(HttpClient http)
{
    public const string ValidatePath = "/validate-arkevent";
    public const string MutatePath = "/mutate-arkevent";

    public async Task<JsonObject> PostAsync(string path, JsonObject review)
    {
        var response = await http.PostAsync(path, ApiServer.Json(review));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("admission.k8s.io/v1", answer["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionReview", answer["kind"]!.GetValue<string>());
        var body = answer["response"]!.AsObject();
        Assert.Equal(review["request"]!["uid"]!.GetValue<string>(), body["uid"]!.GetValue<string>());
        Assert.Contains(body["allowed"]!.GetValueKind(), new[] { JsonValueKind.True, JsonValueKind.False });
        if (path == ValidatePath)
        {
            Assert.False(body.ContainsKey("patch"), "a validating webhook must not send patch");
            Assert.False(body.ContainsKey("patchType"), "a validating webhook must not send patchType");
        }
        else
        {
            Assert.Equal(body.ContainsKey("patch"), body.ContainsKey("patchType"));
        }

        if (body["allowed"]!.GetValue<bool>())
        {
            Assert.False(body.ContainsKey("status"), "an allowed answer carries no status");
        }
        else
        {
            Assert.True(body["status"]!["code"]!.GetValue<int>() >= 400);
            Assert.False(string.IsNullOrEmpty(body["status"]!["message"]!.GetValue<string>()));
        }

        foreach (var warning in body["warnings"]?.AsArray() ?? [])
        {
            Assert.InRange(warning!.GetValue<string>().Length, 1, Answers.MaxWarningLength);
        }

        return body;
    }

    public Task<JsonObject> ValidateAsync(JsonObject review) => PostAsync(ValidatePath, review);

    public Task<JsonObject> MutateAsync(JsonObject review) => PostAsync(MutatePath, review);

    /// <summary>The decoded RFC 6902 patch of a mutating answer, or null when there is none.</summary>
    public static JsonArray? Patch(JsonObject response)
    {
        if (!response.ContainsKey("patch"))
        {
            return null;
        }

        Assert.Equal("JSONPatch", response["patchType"]!.GetValue<string>());
        return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(response["patch"]!.GetValue<string>())))!.AsArray();
    }

    /// <summary>Applies a patch strictly (an add under a missing parent throws, as in the apiserver).</summary>
    public static JsonObject Apply(JsonObject obj, JsonArray patch)
    {
        var document = JsonSerializer.Deserialize<JsonPatchDocument>(patch.ToJsonString())!;
        var copy = obj.DeepClone().AsObject();
        document.ApplyTo(copy);
        return copy;
    }
}
