namespace Arkonis.Model.Resources;

/// <summary>
/// The Secret that holds a webhook ArkEvent's bearer token: the operator writes it, the trigger API reads it (through the
/// Dapr secret store). Its name is the event's name plus <see cref="NameSuffix"/>, which is why an ArkEvent's name is
/// kept short enough for the Secret's name to stay valid.
/// </summary>
public static class WebhookTokenSecret
{
    /// <summary>Appended to the ArkEvent's name to make the Secret's name.</summary>
    public const string NameSuffix = "-webhook-token";

    /// <summary>The key of the current token.</summary>
    public const string TokenKey = "token";

    /// <summary>The key of the token a rotation replaced, accepted until <see cref="PreviousTokenExpiresAtKey"/>.</summary>
    public const string PreviousTokenKey = "previous-token";

    /// <summary>The key of the instant (ISO 8601) after which the previous token is no longer accepted.</summary>
    public const string PreviousTokenExpiresAtKey = "previous-token-expires-at";

    /// <summary>The Secret's name for the ArkEvent <paramref name="eventName"/>: <c>{name}-webhook-token</c>.</summary>
    public static string NameFor(string eventName) => eventName + NameSuffix;
}
