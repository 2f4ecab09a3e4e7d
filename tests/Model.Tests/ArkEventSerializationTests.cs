using Arkonis.Model.Resources;
using k8s;

namespace Arkonis.Model.Tests;

public sealed class ArkEventSerializationTests
{
    [Fact]
    public void Status_webhook_url_keeps_the_seed_name()
    {
        var ev = new ArkEvent { Status = new ArkEventStatus { WebhookUrl = "http://x/fire" } };
        var json = KubernetesJson.Serialize(ev);
        Assert.Contains("\"webhookURL\":\"http://x/fire\"", json, StringComparison.Ordinal);
        Assert.Equal("http://x/fire", KubernetesJson.Deserialize<ArkEvent>(json).Status!.WebhookUrl);
    }
}
