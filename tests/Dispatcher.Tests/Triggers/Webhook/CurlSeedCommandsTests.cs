using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Catalog;
using Arkonis.Dispatcher.Tests.Harness;

namespace Arkonis.Dispatcher.Tests.Triggers.Webhook;

/// <summary>The dispatcher with the repository's own <c>samples/events/pipeline-trigger.yaml</c>, the trigger DESIGN §4 fires.</summary>
public sealed class PipelineTriggerFixture : DispatcherFixture
{
    protected override IReadOnlyDictionary<string, string> Events => new Dictionary<string, string>
    {
        ["pipeline-trigger.yaml"] = File.ReadAllText(
            Path.Combine(YamlDirectoryCatalogTests.RepositoryRoot(), "samples", "events", "pipeline-trigger.yaml")),
    };

    protected override IEnumerable<string> TokenSecrets => ["pipeline-trigger-webhook-token"];
}

/// <summary>
/// The two curl commands of DESIGN §4, sent over a raw TCP connection byte for byte as curl sends them, to the real
/// dispatcher on its Kestrel port. The requests were captured from curl 7.88.1 (Debian 12) against a listening
/// socket; only the Host port and the token differ. The second command has no <c>-H "Content-Type"</c>, so curl's
/// <c>-d</c> sends <c>Content-Type: application/x-www-form-urlencoded</c> with the JSON body <c>{}</c>.
/// </summary>
public sealed class CurlSeedCommandsTests(PipelineTriggerFixture app) : IClassFixture<PipelineTriggerFixture>
{
    private const string Path = "/triggers/ai-team/pipeline-trigger/fire";

    /// <summary>
    /// <c>curl -X POST "http://&lt;host&gt;:8092/triggers/ai-team/pipeline-trigger/fire?mode=sync&amp;timeout=120s"
    /// -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"topic": "quantum computing"}'</c>
    /// </summary>
    private static string SyncCommand(int port) =>
        $"POST {Path}?mode=sync&timeout=120s HTTP/1.1\r\n" +
        $"Host: 127.0.0.1:{port}\r\n" +
        "User-Agent: curl/7.88.1\r\n" +
        "Accept: */*\r\n" +
        $"Authorization: Bearer {DispatcherFixture.Token}\r\n" +
        "Content-Type: application/json\r\n" +
        "Content-Length: 30\r\n" +
        "\r\n" +
        """{"topic": "quantum computing"}""";

    /// <summary><c>curl -X POST "http://&lt;host&gt;:8092/triggers/ai-team/pipeline-trigger/fire" -H "Authorization: Bearer $TOKEN" -d '{}'</c></summary>
    private static string AsyncCommand(int port) =>
        $"POST {Path} HTTP/1.1\r\n" +
        $"Host: 127.0.0.1:{port}\r\n" +
        "User-Agent: curl/7.88.1\r\n" +
        "Accept: */*\r\n" +
        $"Authorization: Bearer {DispatcherFixture.Token}\r\n" +
        "Content-Length: 2\r\n" +
        "Content-Type: application/x-www-form-urlencoded\r\n" +
        "\r\n" +
        "{}";

    [Fact]
    public async Task The_sync_command_answers_200_with_both_flows_output()
    {
        var (status, body) = await SendAsync(SyncCommand(Port()));

        Assert.Equal(HttpStatusCode.OK, status);
        var run = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("Succeeded", (string)run["status"]!);
        Assert.Equal(
            ["research-flow", "summarize-flow"],
            run["targets"]!.AsArray().Select(t => (string)t!["pipeline"]!).Order());
        Assert.All(run["targets"]!.AsArray(), t => Assert.Equal("Succeeded", (string)t!["status"]!));
    }

    [Fact]
    public async Task The_async_command_with_curls_default_form_type_answers_202_with_a_run_id()
    {
        var (status, body) = await SendAsync(AsyncCommand(Port()));

        Assert.Equal(HttpStatusCode.Accepted, status);
        var accepted = JsonNode.Parse(body)!.AsObject();
        Assert.False(string.IsNullOrEmpty((string?)accepted["runId"]));
        Assert.Equal("ai-team/pipeline-trigger", (string)accepted["trigger"]!);
    }

    [Fact]
    public async Task A_JSON_object_without_any_Content_Type_is_accepted()
    {
        var request =
            $"POST {Path} HTTP/1.1\r\nHost: 127.0.0.1:{Port()}\r\nAuthorization: Bearer {DispatcherFixture.Token}\r\n" +
            "Content-Length: 17\r\n\r\n{\"topic\": \"dapr\"}";

        var (status, _) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, status);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "topic=x")]
    [InlineData("application/x-www-form-urlencoded", "[1, 2]")]
    [InlineData("application/x-www-form-urlencoded", "\"text\"")]
    [InlineData(null, "topic=x")]
    [InlineData("text/plain", "{}")]
    [InlineData("multipart/form-data; boundary=x", "{}")]
    [InlineData("application/xml", "{}")]
    public async Task A_body_that_is_not_a_JSON_object_under_a_non_JSON_type_is_still_415(string? contentType, string body)
    {
        var request =
            $"POST {Path} HTTP/1.1\r\nHost: 127.0.0.1:{Port()}\r\nAuthorization: Bearer {DispatcherFixture.Token}\r\n" +
            (contentType is null ? "" : $"Content-Type: {contentType}\r\n") +
            $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

        var (status, answer) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("https://arkonis.dev/problems/unsupported-media-type", (string)JsonNode.Parse(answer)!["type"]!);
    }

    [Theory]
    [InlineData("[1, 2]", "body-not-object")]
    [InlineData("{\"topic\":", "invalid-json")]
    public async Task Declared_JSON_keeps_its_400_answers(string body, string type)
    {
        var request =
            $"POST {Path} HTTP/1.1\r\nHost: 127.0.0.1:{Port()}\r\nAuthorization: Bearer {DispatcherFixture.Token}\r\n" +
            $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

        var (status, answer) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("https://arkonis.dev/problems/" + type, (string)JsonNode.Parse(answer)!["type"]!);
    }

    private int Port() => app.Public.BaseAddress!.Port;

    /// <summary>Writes the request bytes as they are and reads one HTTP/1.1 answer (Content-Length or chunked).</summary>
    private async Task<(HttpStatusCode Status, string Body)> SendAsync(string request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port(), timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request), timeout.Token);

        var received = new List<byte>();
        var chunk = new byte[8192];
        int headerEnd;
        while ((headerEnd = IndexOf(received, "\r\n\r\n"u8.ToArray())) < 0)
        {
            received.AddRange(chunk.AsSpan(0, await ReadSomeAsync(stream, chunk, timeout.Token)).ToArray());
        }
        var head = Encoding.ASCII.GetString(received.GetRange(0, headerEnd).ToArray()).Split("\r\n");
        var status = (HttpStatusCode)int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = head.Skip(1).Select(h => h.Split(':', 2)).ToDictionary(h => h[0].Trim(), h => h[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var rest = received.GetRange(headerEnd + 4, received.Count - headerEnd - 4);

        if (headers.TryGetValue("Content-Length", out var length))
        {
            var want = int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
            while (rest.Count < want)
            {
                rest.AddRange(chunk.AsSpan(0, await ReadSomeAsync(stream, chunk, timeout.Token)).ToArray());
            }
            return (status, Encoding.UTF8.GetString(rest.GetRange(0, want).ToArray()));
        }
        Assert.Equal("chunked", headers["Transfer-Encoding"]);
        var body = new List<byte>();
        while (true)
        {
            int lineEnd;
            while ((lineEnd = IndexOf(rest, "\r\n"u8.ToArray())) < 0)
            {
                rest.AddRange(chunk.AsSpan(0, await ReadSomeAsync(stream, chunk, timeout.Token)).ToArray());
            }
            var size = Convert.ToInt32(Encoding.ASCII.GetString(rest.GetRange(0, lineEnd).ToArray()).Split(';')[0], 16);
            if (size == 0)
            {
                return (status, Encoding.UTF8.GetString(body.ToArray()));
            }
            while (rest.Count < lineEnd + 2 + size + 2)
            {
                rest.AddRange(chunk.AsSpan(0, await ReadSomeAsync(stream, chunk, timeout.Token)).ToArray());
            }
            body.AddRange(rest.GetRange(lineEnd + 2, size));
            rest.RemoveRange(0, lineEnd + 2 + size + 2);
        }
    }

    private static async Task<int> ReadSomeAsync(NetworkStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAsync(buffer, cancellationToken);
        Assert.True(read > 0, "the dispatcher closed the connection before its answer was complete");
        return read;
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Count; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++)
            {
                match = haystack[i + j] == needle[j];
            }
            if (match)
            {
                return i;
            }
        }
        return -1;
    }
}
