namespace Arkonis.Dispatcher.Triggers.Cron;

/// <summary>What the cron trigger knows about an event's schedule (the reconciler writes it to status.nextFireAt).</summary>
public interface ICronScheduleView
{
    /// <summary>When the event fires next; null when it is not a valid cron event, is suspended, or never fires again.</summary>
    DateTimeOffset? NextFireAt(string @namespace, string name);
}
