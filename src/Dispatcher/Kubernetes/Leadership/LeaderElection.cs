using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Arkonis.Dispatcher.Kubernetes.Leadership;

/// <summary>
/// Leader election over a Lease (KubernetesClient's <see cref="LeaderElector"/>), identity = the pod name. One
/// replica at a time reconciles; every replica serves the trigger API and the catalog. Leader-only work waits on
/// <see cref="WaitForTermAsync"/> and stops when the term's token is cancelled.
/// <para>
/// Three things the client's elector does not do, done here as client-go's <c>leaderelection.go</c> does them
/// (<c>staging/src/k8s.io/client-go/tools/leaderelection/leaderelection.go</c>): each term runs under its own
/// cancellation, cancelled when the term ends, so the elector's renew attempt that outlived the renew deadline stops
/// instead of renewing a lease this replica no longer leads by; an API server that cannot be reached (the elector
/// throws) is retried with backoff while the replica stays up and not ready; and on shutdown the Lease is released
/// (<c>ReleaseOnCancel</c>: holderIdentity cleared, leaseDurationSeconds 1) so the next leader does not wait out the
/// lease duration after every rollout. The host stops hosted services in reverse order, so the leader-only work
/// (registered after this) has stopped before the release.
/// </para>
/// </summary>
public sealed class LeaderElection : BackgroundService
{
    private readonly IKubernetes _client;
    private readonly KubernetesModeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LeaderElection> _logger;
    private readonly Lock _lock = new();
    private TaskCompletionSource<CancellationToken> _term = NewTerm();
    private CancellationTokenSource? _termSource;
    private volatile string? _leader;

    public LeaderElection(IKubernetes client, IOptions<KubernetesModeOptions> options, TimeProvider time, ILogger<LeaderElection> logger)
    {
        _client = client;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>True while this replica holds the Lease.</summary>
    public bool IsLeader
    {
        get
        {
            lock (_lock)
            {
                return _termSource is { IsCancellationRequested: false };
            }
        }
    }

    /// <summary>The identity of the last leader this replica saw, if any.</summary>
    public string? CurrentLeader => _leader;

    public string Identity => _options.PodName;

    /// <summary>Completes when this replica becomes leader, with a token cancelled when it stops being leader.</summary>
    public Task<CancellationToken> WaitForTermAsync(CancellationToken cancellationToken)
    {
        Task<CancellationToken> term;
        lock (_lock)
        {
            term = _term.Task;
        }
        return term.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var leaseLock = new LeaseLock(_client, _options.LeaseNamespace, _options.LeaseName, _options.PodName);
        var config = new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        };
        using var elector = new LeaderElector(config);
        elector.OnStartedLeading += StartTerm;
        elector.OnStoppedLeading += EndTerm;
        elector.OnNewLeader += leader =>
        {
            _leader = leader;
            KubernetesLog.NewLeader(_logger, leader, _options.PodName);
        };
        elector.OnError += e => KubernetesLog.LeaderElectionError(_logger, e);
        try
        {
            var failures = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                failures = await RunOnceAsync(elector, failures, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            EndTerm();
            await ReleaseAsync();
        }
    }

    /// <summary>Acquires the lease and leads until it is lost; returns the failures in a row so far (0 after a term).</summary>
    private async Task<int> RunOnceAsync(LeaderElector elector, int failures, CancellationToken stoppingToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        try
        {
            await elector.RunUntilLeadershipLostAsync(attempt.Token);
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The API server cannot be reached (the elector lets that through): stay up, not leading, and try again.
            var wait = KubernetesRetry.Backoff(failures, _options);
            KubernetesLog.LeaderElectionUnavailable(_logger, wait, e);
            await Task.Delay(wait, _time, stoppingToken);
            return failures + 1;
        }
        finally
        {
            // Stops the elector's renew attempt that may outlive the term (it runs on the token it was given).
            await attempt.CancelAsync();
        }
    }

    /// <summary>Clears holderIdentity if this replica still holds the Lease, as client-go's release() does.</summary>
    private async Task ReleaseAsync()
    {
        using var deadline = new CancellationTokenSource(_options.RenewDeadline, _time);
        try
        {
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.LeaseNamespace, cancellationToken: deadline.Token);
            if (lease.Spec?.HolderIdentity != _options.PodName)
            {
                return;
            }
            var now = _time.GetUtcNow().UtcDateTime;
            // Empty, not absent: client-go writes "" (and an elector reading no holder at all would try to create the Lease).
            lease.Spec.HolderIdentity = string.Empty;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.AcquireTime = now;
            lease.Spec.RenewTime = now;
            // Replace carries the resourceVersion read: if someone took the lease meanwhile, this fails and leaves it.
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.LeaseNamespace,
                fieldManager: _options.FieldManager, cancellationToken: deadline.Token);
            KubernetesLog.LeaseReleased(_logger, _options.PodName);
        }
        catch (Exception e)
        {
            // Not released: the next leader waits for the lease to expire, as it would after a crash.
            KubernetesLog.LeaseNotReleased(_logger, _options.PodName, e);
        }
    }

    private void StartTerm()
    {
        lock (_lock)
        {
            if (_termSource is { IsCancellationRequested: false })
            {
                return;
            }
            _termSource?.Dispose();
            _termSource = new CancellationTokenSource();
            _term.TrySetResult(_termSource.Token);
        }
        KubernetesLog.StartedLeading(_logger, _options.PodName);
    }

    private void EndTerm()
    {
        CancellationTokenSource? ended;
        lock (_lock)
        {
            ended = _termSource is { IsCancellationRequested: false } ? _termSource : null;
            if (_term.Task.IsCompleted)
            {
                _term = NewTerm();
            }
        }
        if (ended is not null)
        {
            KubernetesLog.StoppedLeading(_logger, _options.PodName);
            ended.Cancel();
        }
    }

    private static TaskCompletionSource<CancellationToken> NewTerm() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A background service that runs only while this replica is the leader, once per term.</summary>
public abstract class LeaderOnlyService : BackgroundService
{
    private readonly LeaderElection _leadership;

    // A bug or an unexpected answer must not take the host down: the work starts again a second later, in the same term.
    private readonly ResiliencePipeline _restart;

    protected LeaderOnlyService(LeaderElection leadership, TimeProvider time, ILogger logger)
    {
        _leadership = leadership;
        Time = time;
        Logger = logger;
        _restart = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
                    && (e is not OperationCanceledException || !args.Context.CancellationToken.IsCancellationRequested)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Constant,
                Delay = TimeSpan.FromSeconds(1),
                UseJitter = false,
                OnRetry = args =>
                {
                    KubernetesLog.LeaderWorkFailed(Logger, GetType().Name, args.Outcome.Exception!);
                    return default;
                },
            })
            .Build();
    }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    protected abstract Task RunAsLeaderAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken term;
            try
            {
                term = await _leadership.WaitForTermAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term);
            try
            {
                await _restart.ExecuteAsync(async token =>
                {
                    await RunAsLeaderAsync(token);
                    // Done early: hold until the term ends, so the loop does not start a second run in the same term.
                    await Task.Delay(Timeout.Infinite, token);
                }, linked.Token);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
            }
        }
    }
}
