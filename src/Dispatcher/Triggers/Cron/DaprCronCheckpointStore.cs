using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Triggers.Cron;

/// <summary>
/// The checkpoint in the Dapr state store (<c>arkevent-state</c>): a small watermark key written every tick with
/// optimistic concurrency (ETag), and the list of known schedules written only when it changed.
/// </summary>
public sealed class DaprCronCheckpointStore(DaprClient dapr, IOptions<CronTriggerOptions> options) : ICronCheckpointStore
{
    internal const string WatermarkKey = "arkevent-cron.evaluated-through";
    internal const string SchedulesKey = "arkevent-cron.schedules";

    private readonly string _store = options.Value.StateStore;

    public async Task<CronCheckpoint> LoadAsync(CancellationToken cancellationToken)
    {
        var watermark = await dapr.GetStateAsync<Watermark?>(_store, WatermarkKey, cancellationToken: cancellationToken);
        var schedules = await dapr.GetStateAsync<Dictionary<string, SeenSchedule>?>(_store, SchedulesKey, cancellationToken: cancellationToken);
        return new CronCheckpoint(watermark?.EvaluatedThrough, schedules ?? []);
    }

    public async Task AdvanceAsync(DateTimeOffset evaluatedThrough, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (current, etag) = await dapr.GetStateAndETagAsync<Watermark?>(_store, WatermarkKey, cancellationToken: cancellationToken);
            if (current is not null && current.EvaluatedThrough >= evaluatedThrough)
            {
                return; // another replica is ahead
            }
            if (string.IsNullOrEmpty(etag))
            {
                await dapr.SaveStateAsync(_store, WatermarkKey, new Watermark(evaluatedThrough), cancellationToken: cancellationToken);
                return;
            }
            if (await dapr.TrySaveStateAsync(_store, WatermarkKey, new Watermark(evaluatedThrough), etag, cancellationToken: cancellationToken))
            {
                return;
            }
        }
    }

    public Task SaveSchedulesAsync(IReadOnlyDictionary<string, SeenSchedule> schedules, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(_store, SchedulesKey, schedules, cancellationToken: cancellationToken);

    internal sealed record Watermark(DateTimeOffset EvaluatedThrough);
}
