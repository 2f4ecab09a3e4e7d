using System.Diagnostics;
using Arkonis.Dispatcher.Tests.Catalog;
using Arkonis.Dispatcher.Tests.Harness;

namespace Arkonis.Dispatcher.Tests.Samples;

/// <summary>
/// <c>scripts/dapr-control-plane.sh</c> without Dapr's binaries: a copy of the script runs against stand-ins for
/// <c>placement</c> and <c>scheduler</c> that record their arguments, and the flags it passes are checked against the
/// flags the runtime defines. Flag sets read from dapr/dapr (public source, read with the search tool):
/// <c>cmd/placement/options/options.go</c> (commit 415d19d2), <c>cmd/scheduler/options/options.go</c> (commit c68241e0,
/// the version with <c>--override-broadcast-host-port</c> and <c>--etcd-client-port</c>), and the metrics flags both
/// attach from <c>pkg/metrics</c> (<c>--metrics-port</c>, default 9090, <c>--metrics-listen-address</c>,
/// <c>--enable-metrics</c>). Both define <c>--healthz-port</c> with default 8080: that shared default is the clash.
/// </summary>
public sealed class ControlPlaneScriptTests
{
    private static readonly string Script = Path.Combine(YamlDirectoryCatalogTests.RepositoryRoot(), "scripts", "dapr-control-plane.sh");

    private static readonly string[] MetricsFlags = ["metrics-port", "metrics-listen-address", "enable-metrics"];

    private static readonly HashSet<string> PlacementFlags =
    [
        "id", "initial-cluster", "inmem-store-enabled", "raft-logstore-path", "port", "healthz-port", "tls-enabled",
        "metadata-enabled", "max-api-level", "min-api-level", "replicationFactor", "trust-domain", "trust-anchors-file",
        "sentry-address", "mode", .. MetricsFlags,
    ];

    private static readonly HashSet<string> SchedulerFlags =
    [
        "port", "healthz-port", "healthz-listen-address", "listen-address", "override-broadcast-host-port", "tls-enabled",
        "trust-domain", "trust-anchors-file", "sentry-address", "mode", "id", "etcd-embed", "etcd-initial-cluster",
        "etcd-data-dir", "etcd-client-port", "etcd-space-quota", "etcd-compaction-mode", "etcd-compaction-retention",
        .. MetricsFlags,
    ];

    private static bool HasBash => !OperatingSystem.IsWindows() && File.Exists("/bin/bash");

    [Fact]
    public async Task The_script_is_valid_bash()
    {
        if (!HasBash)
        {
            return;
        }
        var (exit, output) = await RunAsync("/bin/bash", ["-n", Script], Environment.CurrentDirectory, new Dictionary<string, string>());
        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task Start_runs_both_with_distinct_ports_runtime_flags_and_a_data_directory_under_dot_dapr_and_stop_ends_them()
    {
        if (!HasBash)
        {
            return;
        }
        var checkout = Directory.CreateTempSubdirectory("arkevent-control-plane-").FullName;
        try
        {
            // The script finds the repository from its own location: a copy in a scratch "checkout" writes there.
            Directory.CreateDirectory(Path.Combine(checkout, "scripts"));
            var script = Path.Combine(checkout, "scripts", "dapr-control-plane.sh");
            File.Copy(Script, script);
            var bin = Directory.CreateDirectory(Path.Combine(checkout, "bin")).FullName;
            foreach (var name in new[] { "placement", "scheduler" })
            {
                var stub = Path.Combine(bin, name);
                // Written whole, then renamed: the script starts the stand-ins in the background and returns at once
                // (HEALTH_TIMEOUT=0), so the test waits for the file and must never read it half written.
                await File.WriteAllTextAsync(stub,
                    $"#!/bin/bash\nprintf '%s\\n' \"$@\" > '{bin}/{name}.args.tmp'\nmv '{bin}/{name}.args.tmp' '{bin}/{name}.args'\nexec sleep 120\n");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
            var env = new Dictionary<string, string> { ["DAPR_BIN"] = bin, ["HEALTH_TIMEOUT"] = "0" };

            var (started, startOutput) = await RunAsync("/bin/bash", [script, "start"], checkout, env);
            Assert.True(started == 0, startOutput);
            var placement = await ArgsAsync(Path.Combine(bin, "placement.args"));
            var scheduler = await ArgsAsync(Path.Combine(bin, "scheduler.args"));
            var pids = new[] { "placement", "scheduler" }
                .Select(n => int.Parse(File.ReadAllText(Path.Combine(checkout, ".dapr", "control-plane", n + ".pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture))
                .ToList();

            Assert.All(placement.Keys, flag => Assert.Contains(flag, PlacementFlags));
            Assert.All(scheduler.Keys, flag => Assert.Contains(flag, SchedulerFlags));
            var listening = new[]
            {
                placement["port"], placement["healthz-port"], placement["metrics-port"],
                scheduler["port"], scheduler["healthz-port"], scheduler["metrics-port"],
            };
            Assert.Equal(listening.Length, listening.Distinct().Count());
            Assert.Equal("50005", placement["port"]);   // where daprd looks for placement by default
            Assert.Equal("50006", scheduler["port"]);   // and for the scheduler
            Assert.StartsWith(Path.Combine(checkout, ".dapr") + Path.DirectorySeparatorChar, scheduler["etcd-data-dir"], StringComparison.Ordinal);
            Assert.Equal("localhost:" + scheduler["port"], scheduler["override-broadcast-host-port"]);

            var (stopped, stopOutput) = await RunAsync("/bin/bash", [script, "stop"], checkout, env);
            Assert.True(stopped == 0, stopOutput);
            Assert.All(pids, pid => Assert.True(HasExited(pid), $"pid {pid} still runs after stop"));
        }
        finally
        {
            Directory.Delete(checkout, recursive: true);
        }
    }

    [Fact]
    public async Task Start_without_the_binaries_says_how_to_install_them()
    {
        if (!HasBash)
        {
            return;
        }
        var checkout = Directory.CreateTempSubdirectory("arkevent-control-plane-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(checkout, "scripts"));
            var script = Path.Combine(checkout, "scripts", "dapr-control-plane.sh");
            File.Copy(Script, script);

            var (exit, output) = await RunAsync("/bin/bash", [script, "start"], checkout,
                new Dictionary<string, string> { ["DAPR_BIN"] = Path.Combine(checkout, "no-bin") });

            Assert.NotEqual(0, exit);
            Assert.Contains("dapr init --slim --runtime-version", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(checkout, recursive: true);
        }
    }

    /// <summary>The recorded arguments as flag to value (every flag the script passes takes a value).</summary>
    private static async Task<Dictionary<string, string>> ArgsAsync(string file)
    {
        await Eventually.Until(() => File.Exists(file), file + " written by the stand-in");
        var args = (await File.ReadAllLinesAsync(file)).ToList();
        Assert.True(args.Count % 2 == 0, string.Join(' ', args));
        return Enumerable.Range(0, args.Count / 2).ToDictionary(
            i => args[2 * i].StartsWith("--", StringComparison.Ordinal) ? args[2 * i][2..] : throw new InvalidOperationException(args[2 * i]),
            i => args[(2 * i) + 1]);
    }

    private static bool HasExited(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited || process.WaitForExit(5_000);
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] args, string directory, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        // The stand-ins inherit nothing of ours: nohup redirects their output to the log files.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
