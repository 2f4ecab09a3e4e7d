using Arkonis.Model.Resources;

namespace Arkonis.Model.Tests;

public sealed class KubernetesNamesTests
{
    public static TheoryData<string, string, bool, bool> Cases => new()
    {
        // name, value, is a DNS-1123 label, is a DNS-1123 subdomain
        { "simple", "team-a", true, true },
        { "digits only", "123", true, true },
        { "one character", "a", true, true },
        { "dotted", "a.b", false, true },
        { "dotted with dashes", "my-app.example-1.com", false, true },
        { "empty", "", false, false },
        { "upper case", "Team-a", false, false },
        { "leading dash", "-a", false, false },
        { "trailing dash", "a-", false, false },
        { "leading dot", ".a", false, false },
        { "trailing dot", "a.", false, false },
        { "two dots in a row", "a..b", false, false },
        { "dash before a dot", "a-.b", false, false },
        { "dash after a dot", "a.-b", false, false },
        { "underscore", "a_b", false, false },
        { "trailing newline", "a\n", false, false },
        { "63 characters", new string('a', 63), true, true },
        { "64 characters", new string('a', 64), false, true },
        { "253 characters", string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('a', 61), false, true },
        { "254 characters", string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('a', 62), false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Names_follow_apimachinery(string name, string value, bool label, bool subdomain)
    {
        Assert.True(label == KubernetesNames.IsDns1123Label(value), $"{name}: label");
        Assert.True(subdomain == KubernetesNames.IsDns1123Subdomain(value), $"{name}: subdomain");
    }

    [Fact]
    public void Null_is_no_name()
    {
        Assert.False(KubernetesNames.IsDns1123Label(null));
        Assert.False(KubernetesNames.IsDns1123Subdomain(null));
    }

    [Fact]
    public void The_webhook_token_secret_is_named_after_the_event()
    {
        Assert.Equal("hook-webhook-token", WebhookTokenSecret.NameFor("hook"));
        Assert.Equal("token", WebhookTokenSecret.TokenKey);
    }
}
