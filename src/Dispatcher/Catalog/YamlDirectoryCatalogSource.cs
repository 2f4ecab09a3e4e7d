using Arkonis.Dispatcher.Diagnostics;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Catalog;

/// <summary>
/// Keeps the <see cref="ArkEventCatalog"/> in step with a directory of YAML files: loads it at start, then reloads
/// when a file watcher signals a change (debounced) or the periodic check sees a different fingerprint.
/// A reload that fails keeps the previous catalog; nothing here stops the service.
/// </summary>
public sealed class YamlDirectoryCatalogSource(
    ArkEventCatalog catalog,
    IOptions<CatalogOptions> options,
    TimeProvider time,
    ILogger<YamlDirectoryCatalogSource> logger) : BackgroundService
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);
    private readonly SemaphoreSlim _changed = new(0);
    private string? _fingerprint;

    /// <summary>Whether the first load has happened (readiness).</summary>
    public bool Loaded { get; private set; }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The first load happens before the host starts serving, so no fire sees an empty catalog by accident.
        Reload();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var directory = Path.GetFullPath(options.Value.Directory);
        using var watcher = CreateWatcher(directory);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await _changed.WaitAsync(options.Value.PollInterval, stoppingToken))
                {
                    await Task.Delay(Debounce, time, stoppingToken);
                    while (_changed.CurrentCount > 0)
                    {
                        await _changed.WaitAsync(stoppingToken);
                    }
                }
                Reload();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Scans the directory and replaces the catalog if anything changed.</summary>
    public void Reload()
    {
        var directory = Path.GetFullPath(options.Value.Directory);
        try
        {
            var fingerprint = YamlDirectoryLoader.Fingerprint(directory);
            if (fingerprint == _fingerprint)
            {
                return;
            }
            if (!Directory.Exists(directory))
            {
                logger.CatalogDirectoryMissing(directory);
            }
            var scan = YamlDirectoryLoader.Load(directory, options.Value.DefaultNamespace, time);
            foreach (var file in scan.Unreadable)
            {
                logger.CatalogFileSkipped(file.Path, file.Reason);
            }
            foreach (var (entry, file) in scan.Entries.Where(e => !e.Entry.IsValid))
            {
                logger.CatalogEntryInvalid(entry.Namespace, entry.Name, file, string.Join("; ", entry.Problems));
            }
            catalog.ReplaceAll(scan.Entries.Select(e => e.Entry));
            _fingerprint = fingerprint;
            logger.CatalogLoaded(
                directory, scan.Entries.Count(e => e.Entry.IsValid), scan.Entries.Count(e => !e.Entry.IsValid), scan.Unreadable.Count);
        }
        catch (Exception e)
        {
            // Not only I/O: whatever one odd file triggers must not fault this loop, which would stop the host.
            logger.CatalogReloadFailed(e);
        }
        finally
        {
            Loaded = true;
        }
    }

    private FileSystemWatcher? CreateWatcher(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }
        try
        {
            var watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = false };
            FileSystemEventHandler signal = (_, _) => _changed.Release();
            watcher.Created += signal;
            watcher.Changed += signal;
            watcher.Deleted += signal;
            watcher.Renamed += (_, _) => _changed.Release();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Polling alone still picks up every change, only later.
            return null;
        }
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }
}
