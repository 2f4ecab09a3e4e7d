using Arkonis.Embedded.Hosting;

namespace Arkonis.Embedded.Tests;

/// <summary>The run command finds the checkout from any folder in it, and says what is missing when it cannot.</summary>
public sealed class RepositoryLayoutTests
{
    [Theory]
    [InlineData("")]
    [InlineData("src/Embedded")]
    [InlineData("samples/events")]
    public void The_checkout_is_found_from_any_of_its_folders(string folder)
    {
        var layout = RepositoryLayout.Find(Path.Combine(Repo.Root, folder));

        Assert.Equal(Repo.Root, layout.Root);
        Assert.True(Directory.Exists(layout.EventsDirectory));
        Assert.True(File.Exists(layout.SecretsFile));
        Assert.Equal("samples/events", layout.Relative(layout.EventsDirectory));
    }

    [Fact]
    public void The_first_start_that_lies_in_a_checkout_wins()
    {
        var outside = Directory.CreateTempSubdirectory("arkevent-outside-").FullName;
        try
        {
            Assert.Equal(Repo.Root, RepositoryLayout.Find(outside, AppContext.BaseDirectory).Root);
        }
        finally
        {
            Directory.Delete(outside);
        }
    }

    [Fact]
    public void Outside_a_checkout_the_error_says_where_it_looked_and_what_it_needs()
    {
        var outside = Directory.CreateTempSubdirectory("arkevent-outside-").FullName;
        try
        {
            var error = Assert.Throws<RepositoryLayoutException>(() => RepositoryLayout.Find(outside));
            Assert.Contains(outside, error.Message, StringComparison.Ordinal);
            Assert.Contains("samples/events", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(outside);
        }
    }

    [Fact]
    public void A_checkout_without_its_samples_is_named_with_what_it_lacks()
    {
        var fake = Directory.CreateTempSubdirectory("arkevent-fake-checkout-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(fake, RepositoryLayout.SolutionFile), string.Empty);
            var error = Assert.Throws<RepositoryLayoutException>(() => RepositoryLayout.Find(fake));
            Assert.Contains("samples/events", error.Message, StringComparison.Ordinal);
            Assert.Contains("components/secrets.json", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(fake, recursive: true);
        }
    }
}
