using Arkonis.Dispatcher.Triggers.Webhook;

namespace Arkonis.Dispatcher.Tests.Triggers.Webhook;

public sealed class RequestTimeoutTests
{
    public static TheoryData<string, double> Valid => new()
    {
        { "120s", 120_000 },
        { "2m", 120_000 },
        { "1m30s", 90_000 },
        { "500ms", 500 },
        { "1h", 3_600_000 },
        { "1h2m3s4ms", 3_723_004 },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Go_style_durations_parse(string text, double milliseconds)
    {
        Assert.True(RequestTimeout.TryParse(text, out var timeout));
        Assert.Equal(milliseconds, timeout.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("60")]
    [InlineData("0s")]
    [InlineData("-5s")]
    [InlineData("1.5s")]
    [InlineData("5x")]
    [InlineData("30s1m")]
    [InlineData("1m1m")]
    [InlineData("s")]
    [InlineData("1 m")]
    [InlineData("9999999999s")]
    public void Anything_else_is_refused(string text) => Assert.False(RequestTimeout.TryParse(text, out _));
}
