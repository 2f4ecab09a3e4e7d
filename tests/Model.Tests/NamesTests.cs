using Arkonis.Model.Validation;

namespace Arkonis.Model.Tests;

/// <summary>The public DNS-1123 checks other parts use (a namespace is a label, most object names are subdomains).</summary>
public sealed class NamesTests
{
    [Theory]
    [InlineData("ai-team", true, true)]
    [InlineData("a", true, true)]
    [InlineData("0abc9", true, true)]
    [InlineData("ai.team", false, true)]
    [InlineData("", false, false)]
    [InlineData(null, false, false)]
    [InlineData("-team", false, false)]
    [InlineData("team-", false, false)]
    [InlineData("Team", false, false)]
    [InlineData("ai_team", false, false)]
    [InlineData("a..b", false, false)]
    [InlineData(".a", false, false)]
    [InlineData("ai-team\n", false, false)]
    [InlineData("a.b\n", false, false)]
    public void Labels_and_subdomains(string? value, bool label, bool subdomain)
    {
        Assert.Equal(label, Names.IsDns1123Label(value));
        Assert.Equal(subdomain, Names.IsDns1123Subdomain(value));
    }

    [Fact]
    public void Lengths_are_63_and_253()
    {
        Assert.True(Names.IsDns1123Label(new string('a', 63)));
        Assert.False(Names.IsDns1123Label(new string('a', 64)));
        Assert.True(Names.IsDns1123Subdomain(string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) [..253]));
        Assert.False(Names.IsDns1123Subdomain(new string('a', 254)));
    }

    [Fact]
    public void Checks_give_apimachinery_messages_length_first()
    {
        Assert.Empty(Names.CheckLabel("ok"));
        Assert.Equal(["must be no more than 63 characters"], Names.CheckLabel(new string('a', 64)));
        var both = Names.CheckLabel(new string('A', 64));
        Assert.Equal(2, both.Count);
        Assert.Equal("must be no more than 63 characters", both[0]);
        Assert.StartsWith("a lowercase RFC 1123 label must consist of", both[1], StringComparison.Ordinal);
        Assert.StartsWith("a lowercase RFC 1123 subdomain must consist of", Assert.Single(Names.CheckSubdomain("A.b")), StringComparison.Ordinal);
    }
}
