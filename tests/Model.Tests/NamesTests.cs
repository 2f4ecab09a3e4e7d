using Arkonis.Model.Validation;

namespace Arkonis.Model.Tests;

/// <summary>The public DNS-1123 checks other parts use (a namespace is a label, most object names are subdomains).</summary>
public sealed class NamesTests
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
    public void Names_follow_apimachinery_table(string name, string value, bool label, bool subdomain)
    {
        Assert.True(label == Names.IsDns1123Label(value), $"{name}: label");
        Assert.True(subdomain == Names.IsDns1123Subdomain(value), $"{name}: subdomain");
    }

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
