using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Kubernetes.Tokens;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Arkonis.Model.Resources;
using k8s;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>The webhook token Secret: issued once, owned, a user's own Secret left alone, rotation with a grace period.</summary>
public sealed class TokenSecretTests : IAsyncLifetime
{
    private KubeApiStandIn _api = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private WebhookTokenSecrets _secrets = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiStandIn.StartAsync();
        var options = Options.Create(new KubernetesModeOptions { TokenRotationGrace = TimeSpan.FromMinutes(10) });
        _secrets = new WebhookTokenSecrets(_api.NewClient(), options, _time);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private ArkEvent StoredEvent(string name, string? rotate = null)
    {
        var obj = _api.Get("arkevents", "team-a", name) ?? _api.Seed("arkevents", Fixtures.Webhook(name));
        if (rotate is not null)
        {
            obj = _api.Update("arkevents", "team-a", name, o => o["metadata"]!["annotations"] = new JsonObject { [ArkonisNames.RotateTokenAnnotation] = rotate });
        }
        return KubernetesJson.Deserialize<ArkEvent>(obj.ToJsonString());
    }

    private Dictionary<string, string> SecretData(string eventName) =>
        _api.Get("secrets", "team-a", $"{eventName}-webhook-token")!["data"]!.AsObject()
            .ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(Convert.FromBase64String((string)kv.Value!)));

    [Fact]
    public async Task The_secret_is_created_once_with_a_32_byte_token_owned_by_the_event()
    {
        var ev = StoredEvent("hook");
        Assert.Equal(TokenOutcome.Issued, (await _secrets.EnsureAsync(ev, default)).Outcome);
        Assert.Equal(TokenOutcome.Unchanged, (await _secrets.EnsureAsync(ev, default)).Outcome);

        Assert.Equal(1, _api.CountRequests("POST", "/secrets"));
        var secret = _api.Get("secrets", "team-a", "hook-webhook-token")!;
        var token = SecretData("hook")["token"];
        Assert.Matches("^[0-9a-f]{64}$", token);
        var owner = secret["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal(ev.Metadata.Uid, (string?)owner["uid"]);
        Assert.Equal("ArkEvent", (string?)owner["kind"]);
        Assert.True((bool)owner["controller"]!);
        Assert.True((bool)owner["blockOwnerDeletion"]!);
        Assert.Equal("hook", (string?)secret["metadata"]!["labels"]![ArkonisNames.EventLabel]);

        // Goes with its event (garbage collection through the owner reference).
        _api.Delete("arkevents", "team-a", "hook");
        Assert.Null(_api.Get("secrets", "team-a", "hook-webhook-token"));
    }

    [Fact]
    public async Task A_secret_the_user_created_beforehand_is_kept_as_it_is_even_on_rotation()
    {
        var userSecret = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "mine-webhook-token", ["namespace"] = "team-a" },
            ["data"] = new JsonObject { ["token"] = Convert.ToBase64String("my-own-token"u8.ToArray()) },
        };
        _api.Seed("secrets", userSecret);
        var before = _api.Get("secrets", "team-a", "mine-webhook-token")!.ToJsonString();

        Assert.Equal(TokenOutcome.UserManaged, (await _secrets.EnsureAsync(StoredEvent("mine"), default)).Outcome);
        Assert.Equal(TokenOutcome.UserManaged, (await _secrets.EnsureAsync(StoredEvent("mine", rotate: "2026-11-28T12:00"), default)).Outcome);

        Assert.Equal(before, _api.Get("secrets", "team-a", "mine-webhook-token")!.ToJsonString());
        Assert.Equal(0, _api.CountRequests("PUT", "/secrets"));
        Assert.Equal(0, _api.CountRequests("POST", "/secrets"));
    }

    [Fact]
    public async Task Rotation_issues_a_new_token_keeps_the_old_one_until_the_grace_ends_then_drops_it()
    {
        await _secrets.EnsureAsync(StoredEvent("hook"), default);
        var original = SecretData("hook")["token"];

        var rotated = await _secrets.EnsureAsync(StoredEvent("hook", rotate: "1"), default);
        Assert.Equal(TokenOutcome.Rotated, rotated.Outcome);
        Assert.Equal(_time.GetUtcNow().AddMinutes(10), rotated.PreviousExpiresAt);
        var data = SecretData("hook");
        Assert.NotEqual(original, data["token"]);
        Assert.Equal(original, data["previous-token"]);
        Assert.Equal("2026-11-28T12:10:00Z", data["previous-token-expires-at"]);

        // The same annotation value again does not rotate again.
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(TokenOutcome.Unchanged, (await _secrets.EnsureAsync(StoredEvent("hook"), default)).Outcome);
        Assert.Equal(original, SecretData("hook")["previous-token"]);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TokenOutcome.PreviousExpired, (await _secrets.EnsureAsync(StoredEvent("hook"), default)).Outcome);
        data = SecretData("hook");
        Assert.False(data.ContainsKey("previous-token"));
        Assert.False(data.ContainsKey("previous-token-expires-at"));
        Assert.NotEqual(original, data["token"]);

        // A new value rotates again.
        var current = data["token"];
        Assert.Equal(TokenOutcome.Rotated, (await _secrets.EnsureAsync(StoredEvent("hook", rotate: "2"), default)).Outcome);
        Assert.Equal(current, SecretData("hook")["previous-token"]);
    }

    [Fact]
    public async Task A_concurrent_change_to_the_secret_is_a_conflict_not_a_lost_token()
    {
        await _secrets.EnsureAsync(StoredEvent("hook"), default);
        var ev = StoredEvent("hook", rotate: "1");
        _api.FailWith = r => r.Method == "PUT" ? System.Net.HttpStatusCode.Conflict : null;
        Assert.Equal(TokenOutcome.Conflict, (await _secrets.EnsureAsync(ev, default)).Outcome);
        _api.FailWith = null;
        Assert.Equal(TokenOutcome.Rotated, (await _secrets.EnsureAsync(ev, default)).Outcome);
    }
}
