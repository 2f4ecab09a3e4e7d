using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Tests.Catalog;
using Arkonis.Dispatcher.Tests.Harness;

namespace Arkonis.Dispatcher.Tests.Samples;

/// <summary>
/// Starts each app of <c>dapr.yaml</c> as <c>dapr run -f .</c> starts it (see <see cref="DaprRunFile"/> for the dapr/cli
/// sources this follows): its exact <c>command</c> as a separate process, in its <c>appDirPath</c> resolved against
/// dapr.yaml's folder, with the CLI's environment variables and the app's <c>env</c>. No daprd here: the dispatcher
/// then serves what it can without a sidecar (its catalog, and <c>/readyz</c> saying 503 until a sidecar answers), and
/// the flow runner its <c>/healthz</c>.
/// Two deliberate differences, neither of which changes what the apps read from dapr.yaml:
/// <list type="bullet">
/// <item>Every port number of the file (app, daprd and the env values that name them) is mapped to a free port, so
/// the test can run beside a real <c>dapr run -f .</c> or another test run on a shared machine.</item>
/// <item>The inherited environment (the CLI passes its own on, <c>cmd.Env = os.Environ()</c>) carries
/// <c>Configuration</c> = this test build's configuration, so <c>dotnet run</c> reuses the build the test run made
/// instead of building Debug from scratch, and <c>MSBUILDDISABLENODEREUSE=1</c>, so no build node outlives the test.</item>
/// </list>
/// </summary>
public sealed partial class DaprRunAppsStartTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Each_app_started_the_CLI_way_finds_its_files_the_dispatcher_loads_every_sample_and_the_flow_runner_answers()
    {
        var root = YamlDirectoryCatalogTests.RepositoryRoot();
        var runFile = DaprRunFile.Load(Path.Combine(root, "dapr.yaml"));
        var dispatcherApp = runFile.App(DispatcherPipeline.ServiceName);
        var runnerApp = runFile.App(new FlowRunnerOptions().AppId);
        var ports = PortMap(runFile);
        var publicPort = ports[int.Parse(dispatcherApp.Env["Ports__Public"], CultureInfo.InvariantCulture)];

        using var dispatcher = AppProcess.Start(Remap(dispatcherApp, ports), FreePorts.Next());
        using var runner = AppProcess.Start(Remap(runnerApp, ports), FreePorts.Next());

        // The dispatcher's catalog: the log line of its first load names the directory and what it found.
        var loaded = await dispatcher.WaitForLineAsync(CatalogLoaded(), StartDeadline);
        var samples = Directory.EnumerateFiles(Path.Combine(root, "samples", "events"))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(samples);
        Assert.Equal(Path.Combine(root, "samples", "events"), loaded.Groups["dir"].Value);
        Assert.Equal(samples.Count.ToString(CultureInfo.InvariantCulture), loaded.Groups["valid"].Value);
        Assert.Equal("0", loaded.Groups["invalid"].Value);
        Assert.Equal("0", loaded.Groups["unreadable"].Value);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        // Loaded, but not ready: no sidecar answers /v1.0/healthz/outbound here.
        using var ready = await EventuallyAsync(() => http.GetAsync($"http://127.0.0.1:{publicPort}/readyz"), StartDeadline, dispatcher);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());

        // The flow runner answers on its appPort (ASPNETCORE_URLS in its env).
        var health = await EventuallyAsync(() => http.GetStringAsync($"http://127.0.0.1:{ports[runnerApp.AppPort]}/healthz"), StartDeadline, runner);
        Assert.Equal("ok", health);
    }

    [Fact]
    public async Task The_dispatcher_started_with_a_catalog_path_that_does_not_resolve_stops_with_the_path_it_looked_at()
    {
        var root = YamlDirectoryCatalogTests.RepositoryRoot();
        var runFile = DaprRunFile.Load(Path.Combine(root, "dapr.yaml"));
        var app = Remap(runFile.App(DispatcherPipeline.ServiceName), PortMap(runFile));
        // What dapr.yaml said before: a path relative to the repository root, while the app runs in src/Dispatcher.
        var env = new Dictionary<string, string>(app.Env) { ["Catalog__Directory"] = "samples/events" };

        using var dispatcher = AppProcess.Start(app with { Env = env }, FreePorts.Next());

        Assert.True(await dispatcher.WaitForExitAsync(StartDeadline), "the dispatcher kept running without its catalog");
        Assert.NotEqual(0, dispatcher.ExitCode);
        Assert.Contains(Path.Combine(app.AppDirPath, "samples", "events"), dispatcher.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Catalog loaded from (?<dir>.+): (?<valid>\d+) valid, (?<invalid>\d+) invalid ArkEvents, (?<unreadable>\d+) unreadable files")]
    private static partial Regex CatalogLoaded();

    /// <summary>A free port for every port number dapr.yaml names (apps, daprd, and env values that are port numbers).</summary>
    private static Dictionary<int, int> PortMap(DaprRunFile runFile)
    {
        var known = runFile.Apps.SelectMany(a => new[] { a.AppPort, a.DaprHttpPort, a.DaprGrpcPort })
            .Concat(runFile.Apps.SelectMany(a => a.Env.Values)
                .Where(v => v.All(char.IsAsciiDigit) && v.Length is >= 2 and <= 5)
                .Select(v => int.Parse(v, CultureInfo.InvariantCulture)))
            .Where(p => p > 0)
            .Distinct();
        return known.ToDictionary(p => p, _ => FreePorts.Next());
    }

    private static DaprRunApp Remap(DaprRunApp app, Dictionary<int, int> ports) => app with
    {
        AppPort = ports.GetValueOrDefault(app.AppPort, app.AppPort),
        DaprHttpPort = ports[app.DaprHttpPort],
        DaprGrpcPort = ports[app.DaprGrpcPort],
        Env = app.Env.ToDictionary(e => e.Key, e => Regex.Replace(
            e.Value, @"(?<![\d.])\d{2,5}(?![\d.])", m => int.TryParse(m.Value, CultureInfo.InvariantCulture, out var p) && ports.TryGetValue(p, out var to)
                ? to.ToString(CultureInfo.InvariantCulture)
                : m.Value)),
    };

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, TimeSpan deadline, AppProcess process)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            try
            {
                return await probe();
            }
            catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && DateTime.UtcNow < until && !process.HasExited)
            {
                await Task.Delay(250);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"{process.Name} did not answer ({e.Message}); its output:\n{process.Output}");
            }
        }
    }

    /// <summary>One app's command, started like <c>GetAppCommand</c> plus <c>Command.Dir = appDirPath</c>.</summary>
    private sealed class AppProcess : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly SemaphoreSlim _lineAdded = new(0);

        private AppProcess(Process process, string name)
        {
            _process = process;
            Name = name;
        }

        public string Name { get; }

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        public string Output => string.Join('\n', _lines);

        public static AppProcess Start(DaprRunApp app, int metricsPort)
        {
            var info = new ProcessStartInfo(app.Command[0])
            {
                WorkingDirectory = app.AppDirPath,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in app.Command.Skip(1))
            {
                info.ArgumentList.Add(argument);
            }
            info.Environment["Configuration"] = typeof(DaprRunAppsStartTests).Assembly
                .GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            foreach (var (key, value) in DaprRunFile.CliEnvironment(app, metricsPort))
            {
                info.Environment[key] = value;
            }
            var process = new Process { StartInfo = info };
            var started = new AppProcess(process, app.AppId);
            process.OutputDataReceived += (_, e) => started.Add(e.Data);
            process.ErrorDataReceived += (_, e) => started.Add(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return started;
        }

        private void Add(string? line)
        {
            if (line is not null)
            {
                _lines.Enqueue(line);
                _lineAdded.Release();
            }
        }

        public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan deadline)
        {
            var until = DateTime.UtcNow + deadline;
            while (true)
            {
                if (_lines.Select(l => pattern.Match(l)).FirstOrDefault(m => m.Success) is { } match)
                {
                    return match;
                }
                if (_process.HasExited || DateTime.UtcNow > until)
                {
                    throw new Xunit.Sdk.XunitException(
                        $"{Name} never logged /{pattern}/ ({(_process.HasExited ? $"exited with {_process.ExitCode}" : "timed out")}); its output:\n{Output}");
                }
                await _lineAdded.WaitAsync(TimeSpan.FromMilliseconds(500));
            }
        }

        public async Task<bool> WaitForExitAsync(TimeSpan deadline)
        {
            using var timeout = new CancellationTokenSource(deadline);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            _process.Dispose();
            _lineAdded.Dispose();
        }
    }
}
