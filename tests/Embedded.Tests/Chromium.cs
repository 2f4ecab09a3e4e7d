using System.Diagnostics;

namespace Arkonis.Embedded.Tests;

/// <summary>
/// Debian's headless Chromium (package <c>chromium</c>), or the one <c>CHROMIUM</c> names. Started with a fresh
/// profile and without the background networking a closed network refuses.
/// </summary>
internal static class Chromium
{
    public static string? Path { get; } = Find();

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } named)
        {
            return File.Exists(named) ? named : null;
        }
        return new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);
    }

    /// <summary>Runs Chromium headless on <paramref name="url"/> with the extra arguments; its stdout.</summary>
    public static async Task<string> RunAsync(string url, params string[] arguments)
    {
        var profile = Directory.CreateTempSubdirectory("arkevent-chromium-");
        try
        {
            var info = new ProcessStartInfo(Path ?? throw new InvalidOperationException("Chromium is not installed"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in (string[])[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.FullName, .. arguments, url])
            {
                info.ArgumentList.Add(argument);
            }
            using var chromium = Process.Start(info)!;
            var stdout = chromium.StandardOutput.ReadToEndAsync();
            var stderr = chromium.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await chromium.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                chromium.Kill(entireProcessTree: true);
                throw new TimeoutException("Chromium did not exit within 60 s: " + await stderr);
            }
            return chromium.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"Chromium exit {chromium.ExitCode}: {await stderr}");
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}

/// <summary>
/// A test that needs Chromium: skipped with the reason on a developer machine without it, but run (and so failing)
/// under CI (<c>CI</c> set, as <c>.ci/run</c> does), where a missing browser is a broken setup, not a reason to skip.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Chromium.Path is null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = "Chromium is not installed (apt-get install chromium, or set CHROMIUM to a Chromium binary); under CI this test fails instead.";
        }
    }
}
