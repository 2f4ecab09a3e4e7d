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
/// </summary>
public sealed class LeaderElection : BackgroundService
{
    private readonly IKubernetes _client;
    private readonly KubernetesModeOptions _options;
    private readonly ILogger<LeaderElection> _logger;
    private readonly Lock _lock = new();
    private TaskCompletionSource<CancellationToken> _term = NewTerm();
    private CancellationTokenSource? _termSource;
    private volatile string? _leader;

    public LeaderElection(IKubernetes client, IOptions<KubernetesModeOptions> options, ILogger<LeaderElection> logger)
    {
        _client = client;
        _options = options.Value;
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
            await elector.RunAndTryToHoldLeadershipForeverAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            EndTerm();
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
