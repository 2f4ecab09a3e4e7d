namespace Arkonis.Dispatcher.Kubernetes.Events;

/// <summary>One kind of Kubernetes Event about an ArkEvent: type, reason (CamelCase) and action.</summary>
internal sealed record EventKind(string Type, string Reason, string Action)
{
    public static readonly EventKind Fired = new("Normal", "Fired", "Fire");
    public static readonly EventKind Skipped = new("Normal", "Skipped", "Fire");
    public static readonly EventKind FireFailed = new("Warning", "FireFailed", "Fire");
    public static readonly EventKind RunSucceeded = new("Normal", "RunSucceeded", "Complete");
    public static readonly EventKind RunFailed = new("Warning", "RunFailed", "Complete");
    public static readonly EventKind TokenIssued = new("Normal", "TokenIssued", "IssueToken");
    public static readonly EventKind TokenRotated = new("Normal", "TokenRotated", "RotateToken");
    public static readonly EventKind PreviousTokenExpired = new("Normal", "PreviousTokenExpired", "RotateToken");
    public static readonly EventKind InvalidSpec = new("Warning", "InvalidSpec", "Validate");
    public static readonly EventKind StatusRefused = new("Warning", "StatusRefused", "UpdateStatus");
    public static readonly EventKind ReconcileError = new("Warning", "ReconcileError", "Reconcile");
}
