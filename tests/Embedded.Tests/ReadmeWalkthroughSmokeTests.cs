using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Arkonis.Embedded.Hosting;
using Xunit.Abstractions;

namespace Arkonis.Embedded.Tests;

/// <summary>
/// The README's first run, as a newcomer does it on a machine with only .NET: its run command, started as a separate
/// process from the repository root, then its walkthrough's commands (the <c>sh</c> blocks marked
/// <c>&lt;!-- smoke: name --&gt;</c>), run by bash and curl as written, each answer checked. A README command that no
/// longer matches the code fails here. Two deliberate differences, neither of which changes a command:
/// <list type="bullet">
/// <item><c>-c {this build's configuration} --no-build</c> is appended to the run command, so it starts the build this
/// test run made instead of building again (CI builds the solution first, as on a clean checkout).</item>
/// <item>Every port is a free one (<c>Ports__Public</c>, <c>Ports__Callback</c>, <c>Ports__Dashboard</c>, <c>DAPR_GRPC_PORT</c>,
/// <c>DAPR_HTTP_PORT</c>), and <c>localhost:8092</c> in the commands is rewritten to the public one, so the test can run
/// beside a real run or another test run on a shared machine.</item>
/// </list>
/// Takes up to about 75 s: the last step waits for the every-minute cron sample's next minute.
/// </summary>
[Trait("Category", "Smoke")]
public sealed partial class ReadmeWalkthroughSmokeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    private static readonly string Configuration =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    [Fact]
    public async Task The_README_run_command_and_walkthrough_work_as_written()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "README.md"));
        var run = RunCommand(readme);
        var ports = new { Public = FreePorts.Next(), Callback = FreePorts.Next(), Dashboard = FreePorts.Next(), Grpc = FreePorts.Next(), Http = FreePorts.Next() };
        string Local(string block) => block.Replace("localhost:8092", "localhost:" + ports.Public.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

        using var process = AppProcess.Start(run + $" -c {Configuration} --no-build", Repo.Root, new Dictionary<string, string>
        {
            ["Ports__Public"] = ports.Public.ToString(CultureInfo.InvariantCulture),
            ["Ports__Callback"] = ports.Callback.ToString(CultureInfo.InvariantCulture),
            ["Ports__Dashboard"] = ports.Dashboard.ToString(CultureInfo.InvariantCulture),
            ["DAPR_GRPC_PORT"] = ports.Grpc.ToString(CultureInfo.InvariantCulture),
            ["DAPR_HTTP_PORT"] = ports.Http.ToString(CultureInfo.InvariantCulture),
        });
        try
        {
            // 1. Ready: the README's readiness probe answers Healthy; the startup says what runs and that runs are in memory.
            await Eventually(async () => (await Bash(Local(Block(readme, "ready")))).Trim() == "Healthy", StartDeadline, "the README's readiness probe", process);
            await Eventually(() => Task.FromResult(process.Output.Contains("Runs live in memory", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the startup banner", process);
            Assert.Contains($"POST http://localhost:{ports.Public}/triggers/ai-team/pipeline-trigger/fire", process.Output, StringComparison.Ordinal);
            Assert.Contains("every-minute", process.Output, StringComparison.Ordinal);

            // 2. Async fire: 202 with a run id and its status URL.
            var token = TokenLines(Block(readme, "fire-async"));
            var (status, body) = Response(await Bash(Local(Block(readme, "fire-async"))));
            Assert.Equal(202, status);
            var runId = (string)body["runId"]!;
            Assert.Equal($"/triggers/ai-team/pipeline-trigger/runs/{runId}", (string?)body["statusUrl"]);

            // 3. Run status until Succeeded, with both targets' output.
            var statusCommand = token + Local(Block(readme, "run-status")).Replace("<runId>", runId, StringComparison.Ordinal);
            JsonObject? run1 = null;
            await Eventually(async () => (string?)(run1 = JsonNode.Parse(await Bash(statusCommand))!.AsObject())["status"] == "Succeeded",
                TimeSpan.FromSeconds(30), "the async run to succeed", process);
            Assert.Equal(["research-flow", "summarize-flow"], run1!["targets"]!.AsArray().Select(t => (string)t!["pipeline"]!).Order());
            Assert.All(run1["targets"]!.AsArray(), t => Assert.NotNull(t!["output"]));

            // 4. The flow-output chain: research-flow's completion fired after-research (the log says so).
            await Eventually(() => Task.FromResult(AfterResearchLaunched().IsMatch(process.Output)), TimeSpan.FromSeconds(15), "after-research to fire", process);

            // 5. Sync fire: 200 with both flows' output.
            (status, body) = Response(await Bash(token + Local(Block(readme, "fire-sync"))));
            Assert.Equal(200, status);
            Assert.Equal("Succeeded", (string?)body["status"]);
            var targets = body["targets"]!.AsArray();
            Assert.Equal(2, targets.Count);
            Assert.All(targets, t => Assert.Equal("Succeeded", (string?)t!["status"]));
            Assert.All(targets, t => Assert.Equal((string)t!["pipeline"]!, (string?)t["output"]?["pipeline"]));

            // 6. A failing flow: 500, the failed target named with its error.
            (status, body) = Response(await Bash(token + Local(Block(readme, "fire-fail"))));
            Assert.Equal(500, status);
            Assert.Equal("Failed", (string?)body["status"]);
            var failed = Assert.Single(body["targets"]!.AsArray(), t => (string?)t!["status"] == "Failed");
            Assert.Equal("summarize-flow", (string?)failed!["pipeline"]);
            Assert.Equal("boom", (string?)failed["error"]);

            // 7. The every-minute cron sample fires at the next minute.
            await Eventually(() => Task.FromResult(EveryMinuteLaunched().IsMatch(process.Output)), TimeSpan.FromSeconds(75), "the every-minute cron sample to fire", process);
        }
        finally
        {
            process.Stop();
            output.WriteLine(process.Output);
        }
    }

    /// <summary>The run command: the <c>dotnet run</c> line of the first <c>sh</c> block under "Run it, test it".</summary>
    private static string RunCommand(string readme)
    {
        var section = readme[readme.IndexOf("## Run it, test it", StringComparison.Ordinal)..];
        var block = ShBlock().Match(section).Groups["body"].Value;
        Assert.Contains(block.Split('\n'), line => line.TrimStart().StartsWith("./test.sh", StringComparison.Ordinal));
        var run = block.Split('\n').Select(line => line.Split('#')[0].Trim()).First(line => line.StartsWith("dotnet run", StringComparison.Ordinal));
        return run;
    }

    /// <summary>The <c>sh</c> block right after <c>&lt;!-- smoke: name --&gt;</c>.</summary>
    private static string Block(string readme, string name)
    {
        var match = Regex.Match(readme, @"<!-- smoke: " + Regex.Escape(name) + @" -->\s*```sh\n(?<body>.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, $"README.md has no sh block marked <!-- smoke: {name} -->");
        return match.Groups["body"].Value;
    }

    /// <summary>The <c>TOKEN=...</c> lines of a block, for the blocks after it (each runs in its own shell).</summary>
    private static string TokenLines(string block) =>
        string.Concat(block.Split('\n').Where(line => line.StartsWith("TOKEN=", StringComparison.Ordinal)).Select(line => line + "\n"));

    /// <summary>Status and JSON body of a <c>curl -si</c> answer.</summary>
    private static (int Status, JsonObject Body) Response(string text)
    {
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var status = int.Parse(StatusLine().Match(normalized).Groups["code"].Value, CultureInfo.InvariantCulture);
        var body = normalized[(normalized.IndexOf("\n\n", StringComparison.Ordinal) + 2)..];
        return (status, JsonNode.Parse(body)!.AsObject());
    }

    private async Task<string> Bash(string script)
    {
        var info = new ProcessStartInfo("bash", ["-c", "set -euo pipefail\n" + script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        using var bash = Process.Start(info)!;
        var stdout = bash.StandardOutput.ReadToEndAsync();
        var stderr = bash.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bash.WaitForExitAsync(timeout.Token);
        var text = await stdout;
        output.WriteLine($"$ {script.Trim()}\n{text}\n{await stderr}");
        return bash.ExitCode == 0 ? text : throw new InvalidOperationException($"exit {bash.ExitCode}: {await stderr}");
    }

    private static async Task Eventually(Func<Task<bool>> probe, TimeSpan deadline, string what, AppProcess process)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            Assert.False(process.HasExited, $"the run command exited while waiting for {what}:\n{process.Output}");
            try
            {
                if (await probe())
                {
                    return;
                }
            }
            catch (Exception e) when (e is InvalidOperationException or System.Text.Json.JsonException)
            {
                // Not answering yet, or not yet the answer.
            }
            Assert.True(DateTime.UtcNow < until, $"timed out after {deadline} waiting for {what}");
            await Task.Delay(250);
        }
    }

    [GeneratedRegex("```sh\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShBlock();

    [GeneratedRegex(@"^HTTP/[\d.]+ (?<code>\d{3})", RegexOptions.Multiline)]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"Run ai-team_after-research_after_\S+ of ai-team/after-research launched")]
    private static partial Regex AfterResearchLaunched();

    [GeneratedRegex(@"Run ai-team_every-minute_cron_\S+ of ai-team/every-minute launched")]
    private static partial Regex EveryMinuteLaunched();
}
