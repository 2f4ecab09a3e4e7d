using Arkonis.Admission.Cycles;
using Arkonis.Model.Resources;
using NSubstitute;

namespace Arkonis.Admission.Tests.Cycles;

public sealed class DeferredArkEventListerTests
{
    [Fact]
    public async Task The_real_lister_is_built_on_the_first_check_and_then_reused()
    {
        var built = 0;
        var inner = Substitute.For<IArkEventLister>();
        inner.ListAsync("ai-team", Arg.Any<CancellationToken>()).Returns([new ArkEvent()]);
        using var deferred = new DeferredArkEventLister(() =>
        {
            built++;
            return inner;
        });

        Assert.Equal(0, built);
        Assert.Single(await deferred.ListAsync("ai-team", CancellationToken.None));
        Assert.Single(await deferred.ListAsync("ai-team", CancellationToken.None));
        Assert.Equal(1, built);
    }

    [Fact]
    public async Task A_configuration_that_fails_to_load_fails_that_check_and_is_tried_again()
    {
        var attempts = 0;
        var inner = Substitute.For<IArkEventLister>();
        inner.ListAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(Array.Empty<ArkEvent>());
        using var deferred = new DeferredArkEventLister(() => ++attempts == 1 ? throw new InvalidOperationException("token not mounted yet") : inner);

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => deferred.ListAsync("ai-team", CancellationToken.None));
        Assert.Equal("token not mounted yet", failed.Message);
        Assert.Empty(await deferred.ListAsync("ai-team", CancellationToken.None));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public void Disposing_disposes_the_built_lister_only()
    {
        var inner = Substitute.For<IArkEventLister, IDisposable>();
        new DeferredArkEventLister(() => inner).Dispose();
        ((IDisposable)inner).DidNotReceive().Dispose();

        using (var deferred = new DeferredArkEventLister(() => inner))
        {
            _ = deferred.ListAsync("ai-team", CancellationToken.None);
        }

        ((IDisposable)inner).Received(1).Dispose();
    }
}
