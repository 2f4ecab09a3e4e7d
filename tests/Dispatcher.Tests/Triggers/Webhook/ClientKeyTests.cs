using System.Net;
using Arkonis.Dispatcher.Triggers.Webhook;

namespace Arkonis.Dispatcher.Tests.Triggers.Webhook;

/// <summary>Which addresses share a per-client bucket.</summary>
public sealed class ClientKeyTests
{
    [Theory]
    [InlineData("IPv4 as is", "203.0.113.7", "203.0.113.7")]
    [InlineData("IPv4-mapped IPv6 counts as its IPv4", "::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("IPv6 by its /64", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("another host of the same /64 shares it", "2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("loopback", "::1", "::/64")]
    public void An_address_maps_to_its_bucket(string name, string address, string key)
    {
        _ = name;
        Assert.Equal(key, TriggerRateLimiting.ClientKey(IPAddress.Parse(address)));
    }

    [Fact]
    public void No_address_is_one_bucket() => Assert.Equal(string.Empty, TriggerRateLimiting.ClientKey(null));
}
