namespace Arkonis.Dispatcher.Tests.Harness;

/// <summary>Waits for a condition with a deadline (no fixed sleeps): fails with the description when time runs out.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(15);

    public static async Task Until(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? DefaultDeadline);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"timed out waiting for: {what}");
            }
            await Task.Delay(10);
        }
    }

    public static async Task<T> Value<T>(Func<T?> read, string what, TimeSpan? deadline = null) where T : class
    {
        T? value = null;
        await Until(() => (value = read()) is not null, what, deadline);
        return value!;
    }
}
