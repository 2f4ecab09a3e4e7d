using Arkonis.Model.Resources;

namespace Arkonis.Admission.Cycles;

/// <summary>
/// Builds the real lister on the first call. A configuration that fails to load (a token not yet mounted,
/// a broken kubeconfig) fails that cycle check, which the check turns into a warning, and is tried again next time.
/// </summary>
internal sealed class DeferredArkEventLister(Func<IArkEventLister> create) : IArkEventLister, IDisposable
{
    private readonly Lock _gate = new();
    private IArkEventLister? _lister;

    public Task<IReadOnlyList<ArkEvent>> ListAsync(string ns, CancellationToken cancellationToken)
    {
        IArkEventLister lister;
        try
        {
            lister = Get();
        }
        catch (Exception ex)
        {
            return Task.FromException<IReadOnlyList<ArkEvent>>(ex);
        }

        return lister.ListAsync(ns, cancellationToken);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            (_lister as IDisposable)?.Dispose();
        }
    }

    private IArkEventLister Get()
    {
        if (Volatile.Read(ref _lister) is { } built)
        {
            return built;
        }

        lock (_gate)
        {
            _lister ??= create();
            return _lister;
        }
    }
}
