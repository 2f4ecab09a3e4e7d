using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;

namespace Arkonis.Admission.Tests.Webhooks;

public sealed class BadInputTests : IClassFixture<BadInputTests.SmallLimitApp>
{
    private readonly HttpClient _client;

    public BadInputTests(SmallLimitApp app) => _client = app.CreateClient();

    public sealed class SmallLimitApp() : AdmissionApp(new() { ["Admission:MaxRequestBodyBytes"] = "65536" });

    public static TheoryData<string> Paths => new() { "/validate-arkevent", "/mutate-arkevent" };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Body_that_is_not_json_is_400_problem(string path)
    {
        var response = await _client.PostAsync(path, ApiServer.Json("this is { not json"));
        await AssertProblem(response, HttpStatusCode.BadRequest, "malformed-json");
        await AssertStillServes(path);
    }

    [Theory]
    [InlineData("/validate-arkevent", """{"hello":"world"}""", "apiVersion must be admission.k8s.io/v1")]
    [InlineData("/mutate-arkevent", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""", "request is missing")]
    [InlineData("/validate-arkevent", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}""", "request.uid is missing")]
    [InlineData("/mutate-arkevent", """{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"1"}}""", "apiVersion must be admission.k8s.io/v1")]
    [InlineData("/validate-arkevent", "[1,2,3]", "not a valid AdmissionReview")]
    [InlineData("/validate-arkevent", "null", "the body is JSON null")]
    [InlineData("/mutate-arkevent", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":42}}""", "not a valid AdmissionReview")]
    public async Task Json_that_is_not_an_admission_review_is_400_with_the_reason(string path, string body, string expected)
    {
        var response = await _client.PostAsync(path, ApiServer.Json(body));
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest, null);
        Assert.Contains(expected, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Wrong_content_type_is_415(string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(ApiServer.Review("CREATE", null).ToJsonString()));
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        var response = await _client.PostAsync("/validate-arkevent", content);
        await AssertProblem(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Oversize_body_is_413_with_or_without_content_length(bool chunked)
    {
        var review = ApiServer.Review("CREATE", new JsonObject { ["padding"] = new string('x', 70_000) });
        HttpContent content = ApiServer.Json(review);
        if (chunked)
        {
            content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(review.ToJsonString())));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/mutate-arkevent") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        var response = await _client.SendAsync(request);
        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "too-large");
        await AssertStillServes("/mutate-arkevent");
    }

    [Fact]
    public async Task Get_on_a_webhook_path_is_405()
    {
        var response = await _client.GetAsync("/validate-arkevent");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    private static async Task<JsonNode> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string? slug)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()));
        if (slug is not null)
        {
            Assert.Equal("https://arkonis.dev/problems/admission/" + slug, problem["type"]!.GetValue<string>());
        }

        return problem;
    }

    private async Task AssertStillServes(string path)
    {
        var response = await _client.PostAsync(path, ApiServer.Json(ApiServer.Review("DELETE", null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "x" } })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
