using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Arkonis.Model.Resources;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Kubernetes.Tokens;

/// <summary>What <see cref="WebhookTokenSecrets.EnsureAsync"/> did.</summary>
internal enum TokenOutcome
{
    Unchanged,

    /// <summary>The Secret was created with a fresh token.</summary>
    Issued,

    /// <summary>A new token was issued; the old one stays valid until <see cref="TokenState.PreviousExpiresAt"/>.</summary>
    Rotated,

    /// <summary>The previous token's grace period ended and it was removed.</summary>
    PreviousExpired,

    /// <summary>The Secret exists and is not ours (created by the user): kept exactly as it is.</summary>
    UserManaged,

    /// <summary>Someone else changed the Secret meanwhile; try again on the next reconcile.</summary>
    Conflict,
}

internal sealed record TokenState(TokenOutcome Outcome, DateTimeOffset? PreviousExpiresAt);

/// <summary>
/// The webhook token Secret <c>{name}-webhook-token</c> of a webhook ArkEvent: key <c>token</c> = 32 random bytes
/// (hex), owned by the ArkEvent so it goes when the event goes. A Secret that is not owned by the event (the user
/// created it beforehand) is never touched. Rotation: when the ArkEvent's <c>arkonis.dev/rotate-token</c>
/// annotation differs from the value recorded on the Secret (<c>arkonis.dev/rotated-for</c>), a new token is issued
/// and the old one moves to <c>previous-token</c> until <c>previous-token-expires-at</c> (now + grace).
/// </summary>
internal sealed class WebhookTokenSecrets(IKubernetes client, IOptions<KubernetesModeOptions> options, TimeProvider time)
{
    public const string TokenKey = WebhookTokenSecret.TokenKey;
    public const string PreviousTokenKey = WebhookTokenSecret.PreviousTokenKey;
    public const string PreviousExpiresAtKey = WebhookTokenSecret.PreviousTokenExpiresAtKey;

    public static string SecretName(string eventName) => WebhookTokenSecret.NameFor(eventName);

    public async Task<TokenState> EnsureAsync(ArkEvent arkEvent, CancellationToken cancellationToken)
    {
        var name = SecretName(arkEvent.Name);
        var rotateFor = arkEvent.Metadata.Annotation(ArkonisNames.RotateTokenAnnotation);
        V1Secret? secret;
        try
        {
            secret = await client.CoreV1.ReadNamespacedSecretAsync(name, arkEvent.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            secret = null;
        }

        if (secret is null)
        {
            try
            {
                await client.CoreV1.CreateNamespacedSecretAsync(NewSecret(arkEvent, name, rotateFor), arkEvent.Namespace,
                    fieldManager: options.Value.FieldManager, cancellationToken: cancellationToken);
                return new TokenState(TokenOutcome.Issued, null);
            }
            catch (HttpOperationException e) when (KubernetesErrors.Reason(e) == "AlreadyExists")
            {
                // Created meanwhile (by the user or a previous leader): look at it on the next reconcile.
                return new TokenState(TokenOutcome.Conflict, null);
            }
        }

        if (!IsOwnedBy(secret, arkEvent))
        {
            return new TokenState(TokenOutcome.UserManaged, null);
        }

        var now = time.GetUtcNow();
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        var previousExpiresAt = ReadExpiry(data);
        var recorded = secret.Metadata.Annotation(ArkonisNames.RotatedForAnnotation);
        TokenOutcome outcome;
        if (!string.IsNullOrEmpty(rotateFor) && rotateFor != recorded)
        {
            previousExpiresAt = now + options.Value.TokenRotationGrace;
            if (data.TryGetValue(TokenKey, out var current))
            {
                data[PreviousTokenKey] = current;
                data[PreviousExpiresAtKey] = System.Text.Encoding.UTF8.GetBytes(previousExpiresAt.Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            }
            data[TokenKey] = NewToken();
            secret.Metadata.Annotations ??= new Dictionary<string, string>();
            secret.Metadata.Annotations[ArkonisNames.RotatedForAnnotation] = rotateFor;
            outcome = TokenOutcome.Rotated;
        }
        else if (data.ContainsKey(PreviousTokenKey) && (previousExpiresAt is null || previousExpiresAt <= now))
        {
            data.Remove(PreviousTokenKey);
            data.Remove(PreviousExpiresAtKey);
            previousExpiresAt = null;
            outcome = TokenOutcome.PreviousExpired;
        }
        else if (!data.ContainsKey(TokenKey))
        {
            data[TokenKey] = NewToken();
            outcome = TokenOutcome.Issued;
        }
        else
        {
            return new TokenState(TokenOutcome.Unchanged, data.ContainsKey(PreviousTokenKey) ? previousExpiresAt : null);
        }

        secret.Data = data;
        try
        {
            // Replace carries the resourceVersion we read: a concurrent change gives 409 instead of a lost token.
            await client.CoreV1.ReplaceNamespacedSecretAsync(secret, name, arkEvent.Namespace,
                fieldManager: options.Value.FieldManager, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            return new TokenState(TokenOutcome.Conflict, null);
        }
        return new TokenState(outcome, previousExpiresAt);
    }

    private static V1Secret NewSecret(ArkEvent arkEvent, string name, string? rotateFor) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = "Opaque",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = arkEvent.Namespace,
            Labels = new Dictionary<string, string>
            {
                [ArkonisNames.EventLabel] = arkEvent.Name,
                [ArkonisNames.ManagedByLabel] = ArkonisNames.ManagedByValue,
            },
            Annotations = string.IsNullOrEmpty(rotateFor) ? null : new Dictionary<string, string> { [ArkonisNames.RotatedForAnnotation] = rotateFor },
            OwnerReferences = [OwnerReferences.To(arkEvent)],
        },
        Data = new Dictionary<string, byte[]> { [TokenKey] = NewToken() },
    };

    private static bool IsOwnedBy(V1Secret secret, ArkEvent arkEvent) =>
        secret.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Kind == ArkEvent.KindName && o.Uid == arkEvent.Metadata.Uid) == true;

    private static DateTimeOffset? ReadExpiry(IDictionary<string, byte[]> data) =>
        data.TryGetValue(PreviousExpiresAtKey, out var raw)
        && DateTimeOffset.TryParse(System.Text.Encoding.UTF8.GetString(raw), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;

    /// <summary>32 random bytes as 64 lowercase hex characters.</summary>
    private static byte[] NewToken() => System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
}
