using System.Threading.Channels;
using Arkonis.Admission.Hosting;
using Microsoft.Extensions.Options;

namespace Arkonis.Admission.Tls;

/// <summary>
/// Re-reads the serving certificate when its directory changes (a Secret update renames <c>..data</c>)
/// and on a timer, because change notifications through symlinks and network volumes are not reliable.
/// </summary>
internal sealed class CertificateReloader(
    ServingCertificate certificate, IOptions<AdmissionOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tls = options.Value.Tls;
        if (!tls.Enabled)
        {
            return;
        }

        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var watcher = Watch(Path.GetDirectoryName(Path.GetFullPath(tls.CertificatePath))!, wake.Writer);
        using var timer = new PeriodicTimer(tls.ReloadInterval, time);
        var tick = Tick(timer, wake.Writer, stoppingToken);
        try
        {
            await foreach (var signal in wake.Reader.ReadAllAsync(stoppingToken))
            {
                certificate.Reload(out _);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        await tick;
    }

    private static async Task Tick(PeriodicTimer timer, ChannelWriter<bool> wake, CancellationToken stoppingToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                wake.TryWrite(true);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private static FileSystemWatcher? Watch(string directory, ChannelWriter<bool> wake)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        var watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = false };
        watcher.Changed += (_, _) => wake.TryWrite(true);
        watcher.Created += (_, _) => wake.TryWrite(true);
        watcher.Renamed += (_, _) => wake.TryWrite(true);
        watcher.Deleted += (_, _) => wake.TryWrite(true);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }
}
