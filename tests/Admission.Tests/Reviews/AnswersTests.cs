using Arkonis.Admission.Reviews;

namespace Arkonis.Admission.Tests.Reviews;

public sealed class AnswersTests
{
    [Fact]
    public void A_warning_up_to_the_apiserver_cut_is_kept_whole()
    {
        var warning = new string('w', Answers.MaxWarningLength);

        Assert.Equal([warning], Answers.Warnings([warning]));
    }

    [Fact]
    public void A_longer_warning_is_cut_to_the_limit_with_an_ellipsis()
    {
        var cut = Assert.Single(Answers.Warnings([new string('w', Answers.MaxWarningLength + 50)])!);

        Assert.Equal(Answers.MaxWarningLength, cut.Length);
        Assert.EndsWith("w…", cut, StringComparison.Ordinal);
    }
}
