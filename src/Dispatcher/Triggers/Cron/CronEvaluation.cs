using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Triggers.Cron;

/// <summary>An occurrence to fire: the most recent due occurrence of one event, within its starting deadline.</summary>
/// <param name="PreviousScheduled">The occurrence before this one, when known (its run may still be going).</param>
/// <param name="SpecVersion">Hands back to <see cref="CronEvaluator.Retry"/> when the launch fails.</param>
public sealed record CronFire(ArkEvent Event, DateTimeOffset Scheduled, DateTimeOffset? PreviousScheduled, long SpecVersion);

/// <summary>Occurrences of one event that will not fire, and why (<see cref="TriggerSkipReasons"/>).</summary>
public sealed record CronSkip(ArkEvent Event, string Reason, long Count, DateTimeOffset LatestScheduled);

/// <summary>What one tick decided.</summary>
public sealed record CronEvaluation(IReadOnlyList<CronFire> Fires, IReadOnlyList<CronSkip> Skips);

/// <summary>An event's schedule as last persisted: lets a restarted or second replica catch up without firing for times before the event was seen.</summary>
public sealed record SeenSchedule(string Fingerprint, DateTimeOffset SeenAt, bool Suspended);
